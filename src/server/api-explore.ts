// GET /api/events/facets, /histogram and /export: the event explorer's counts, time chart and downloads.
import { eventToJson } from '../domain/event-json.js';
import { eventToOcsf } from '../export/ocsf-event.js';
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

/** The time chart: the whole span of the filtered events (or the asked one) in `buckets` buckets. */
export async function getHistogram({ store, query, now }: RequestContext): Promise<unknown> {
  const q = eventQueryOf(query, now());
  const n = limitParam(query, 60, MAX_BUCKETS, 'buckets');
  const t = await store.timeline(q, n);
  if (t.start === null || t.end === null)
    return { count: 0, start: null, end: null, bucketMs: 0, buckets: [] };
  const buckets = t.buckets.map((b) => ({
    start: new Date(b.start).toISOString(),
    success: b.count - b.errors,
    failure: b.errors,
  }));
  return {
    count: t.count,
    start: new Date(t.start).toISOString(),
    end: new Date(t.end).toISOString(),
    bucketMs: t.bucketMs,
    buckets,
  };
}

export async function exportEvents({ store, query, now, policy }: RequestContext): Promise<FileResult> {
  const format = oneOfParam(query, 'format', ['csv', 'jsonl', 'ocsf'] as const) ?? 'csv';
  const q = eventQueryOf(query, now(), MAX_EXPORT);
  if (query.get('limit') === null) q.limit = 10_000;
  const events = await attachIdentity(store, await store.searchEvents(q), policy);
  const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
  if (format === 'jsonl' || format === 'ocsf') {
    const toJson = format === 'jsonl' ? eventToJson : eventToOcsf;
    return {
      kind: 'file',
      type: 'application/x-ndjson; charset=utf-8',
      filename: `trailwatch-events-${stamp}${format === 'ocsf' ? '.ocsf' : ''}.jsonl`,
      body: events.map((e) => JSON.stringify(toJson(e)) + '\n').join(''),
    };
  }
  return {
    kind: 'file',
    type: 'text/csv; charset=utf-8',
    filename: `trailwatch-events-${stamp}.csv`,
    body: [csvLine(EVENT_CSV_HEADER), ...events.map(eventCsvRow)].join('\r\n') + '\r\n',
  };
}
