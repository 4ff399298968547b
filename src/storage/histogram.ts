// The explorer's time chart, shared by the SQL adapters: bucket layout and bounds here, the one
// grouped count query in each adapter.
import type { EventQuery, HistogramBucket, Store, Timeline } from './port.js';

/** One row of an adapter's grouped count: bucket index from `from`, events, errors. */
export interface BucketCount {
  bucket: number;
  count: number;
  errors: number;
}

/**
 * `buckets` consecutive buckets of `bucketMs` from `start`, every one returned (empty ones zero).
 * `count` runs the adapter's query over `bounded` (the query narrowed to the buckets' span) and
 * groups by `(eventMs - from) div step`.
 */
export async function histogramOf(
  q: EventQuery,
  start: number,
  bucketMs: number,
  buckets: number,
  count: (bounded: EventQuery, from: number, step: number) => Promise<BucketCount[]>,
): Promise<HistogramBucket[]> {
  const step = Math.max(1, Math.floor(bucketMs));
  const from = Math.floor(start);
  const n = Math.max(0, Math.floor(buckets));
  const end = from + step * n - 1;
  if (!n) return [];
  const bounded = { ...q, since: Math.max(q.since ?? from, from), until: Math.min(q.until ?? end, end) };
  if (bounded.since > bounded.until) return fillBuckets(from, step, n, []);
  return fillBuckets(from, step, n, await count(bounded, from, step));
}

/** `n` buckets of `step` from `from` with the counts of `rows` (empty buckets zero, rows outside dropped). */
export function fillBuckets(
  from: number,
  step: number,
  n: number,
  rows: readonly BucketCount[],
): HistogramBucket[] {
  const out = Array.from({ length: n }, (_, i) => ({ start: from + i * step, count: 0, errors: 0 }));
  for (const row of rows) {
    const bucket = out[row.bucket];
    if (bucket) {
      bucket.count = row.count;
      bucket.errors = row.errors;
    }
  }
  return out;
}

/** Width of each of `buckets` buckets covering start..end inclusive (at least 1 ms). */
function bucketWidth(start: number, end: number, buckets: number): number {
  return Math.max(1, Math.ceil((end - start + 1) / buckets));
}

/** The timeline in two passes: the span of the matching events, then the histogram over it. */
export async function timelineOf(
  store: Pick<Store, 'summarizeEvents' | 'histogram'>,
  q: EventQuery,
  buckets: number,
): Promise<Timeline> {
  const whole = await store.summarizeEvents(q, []);
  const start = q.since ?? whole.firstSeen;
  const end = q.until ?? whole.lastSeen;
  if (start === null || end === null || whole.count === 0)
    return { count: 0, start: null, end: null, bucketMs: 0, buckets: [] };
  const bucketMs = bucketWidth(start, end, buckets);
  return {
    count: whole.count,
    start,
    end,
    bucketMs,
    buckets: await store.histogram(q, start, bucketMs, buckets),
  };
}
