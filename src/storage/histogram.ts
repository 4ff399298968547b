// The explorer's time chart, shared by the SQL adapters: bucket layout and bounds here, the one
// grouped count query in each adapter.
import type { EventQuery, HistogramBucket } from './port.js';

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
  const out = Array.from({ length: n }, (_, i) => ({ start: from + i * step, count: 0, errors: 0 }));
  if (!out.length) return out;
  const bounded = { ...q, since: Math.max(q.since ?? from, from), until: Math.min(q.until ?? end, end) };
  if (bounded.since > bounded.until) return out;
  for (const row of await count(bounded, from, step)) {
    const bucket = out[row.bucket];
    if (bucket) {
      bucket.count = row.count;
      bucket.errors = row.errors;
    }
  }
  return out;
}
