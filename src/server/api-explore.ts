// GET /api/events/facets, /histogram and /export: the event explorer's counts, time chart and downloads.
import { eventToJson } from '../domain/event-json.js';
import { attachIdentity } from '../pipeline/identity.js';
import type { FacetField } from '../storage/port.js';
import type { FileResult, RequestContext } from './context.js';
import { EVENT_CSV_HEADER, csvLine, eventCsvRow } from '../domain/event-csv.js';
import { eventQueryOf, limitParam, oneOfParam } from './params.js';

export const EXPLORER_FACETS: FacetField[] = [
  'eventName',
  'eventSource',
  'identityType',
  'eventCategory',
  'recipientAccountId',
  'awsRegion',
  'sourceIpAddress',
  'errorCode',
];
export const MAX_EXPORT = 100_000;
const MAX_BUCKETS = 200;

export async function getFacets({ store, query, now }: RequestContext): Promise<unknown> {
  const q = eventQueryOf(query, now());
  const top = limitParam(query, 10, 100, 'top');
  const s = await store.summarizeEvents(q, EXPLORER_FACETS, top);
  return { count: s.count, errors: s.errors, facets: s.facets };
}

/**
 * Bucket counts come from one summary per bucket: the port already counts successes and failures,
 * and a chart has few buckets, so the store needs no histogram query of its own.
 */
export async function getHistogram({ store, query, now }: RequestContext): Promise<unknown> {
  const q = eventQueryOf(query, now());
  const n = limitParam(query, 60, MAX_BUCKETS, 'buckets');
  const whole = await store.summarizeEvents(q, []);
  const start = q.since ?? whole.firstSeen;
  const end = q.until ?? whole.lastSeen;
  if (start === null || end === null || whole.count === 0)
    return { count: 0, start: null, end: null, bucketMs: 0, buckets: [] };
  const bucketMs = Math.max(1, Math.ceil((end - start + 1) / n));
  const buckets = [];
  for (let i = 0; i < n; i++) {
    const from = start + i * bucketMs;
    // Store times are inclusive at both ends, so a bucket ends 1 ms before the next begins.
    const s = await store.summarizeEvents({ ...q, since: from, until: from + bucketMs - 1 }, []);
    buckets.push({ start: new Date(from).toISOString(), success: s.count - s.errors, failure: s.errors });
  }
  return {
    count: whole.count,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    bucketMs,
    buckets,
  };
}

export async function exportEvents({ store, query, now }: RequestContext): Promise<FileResult> {
  const format = oneOfParam(query, 'format', ['csv', 'jsonl'] as const) ?? 'csv';
  const q = eventQueryOf(query, now(), MAX_EXPORT);
  if (query.get('limit') === null) q.limit = 10_000;
  const events = await attachIdentity(store, await store.searchEvents(q));
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  if (format === 'jsonl')
    return {
      kind: 'file',
      type: 'application/x-ndjson; charset=utf-8',
      filename: `trailwatch-events-${stamp}.jsonl`,
      body: events.map((e) => JSON.stringify(eventToJson(e)) + '\n').join(''),
    };
  return {
    kind: 'file',
    type: 'text/csv; charset=utf-8',
    filename: `trailwatch-events-${stamp}.csv`,
    body: [csvLine(EVENT_CSV_HEADER), ...events.map(eventCsvRow)].join('\r\n') + '\r\n',
  };
}
