// Event search: turns an EventQuery into one parameterised SQL statement over `events`.
import type { DuckDBValue } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { EventQuery } from '../port.js';
import { LONG_TERM_TYPES, LOOKUP_FILTERS, lookupValues } from '../columns.js';
import { EVENT_SELECT } from './columns.js';

export const DEFAULT_LIMIT = 100;

const LONG_TERM = LONG_TERM_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Events whose resolved origin is one of `origins` (ids or names): made with a key whose ledger
 * row resolves to it, role owners' copies of calls whose caller's copy does, by the long-term
 * identity itself, or by a session whose issuing event is unknown but whose record names the
 * origin the way the fallback rules read it (pipeline/identity mirrors these rules).
 */
function originCondition(origins: string[]): { sql: string; params: DuckDBValue[] } {
  const lower = origins.map((o) => o.toLowerCase());
  const marks = lower.map(() => '?').join(', ');
  const sql = `(
    actor_access_key_id IN (SELECT access_key_id FROM credentials WHERE kind <> 'CreateAccessKey'
                            AND (lower(origin_id) IN (${marks}) OR lower(origin_name) IN (${marks})))
    OR (actor_type = 'AWSAccount'
        AND json_extract_string(response_elements, '$.credentials.accessKeyId') IN (
          SELECT access_key_id FROM credentials WHERE caller_type <> 'AWSAccount'
          AND (lower(origin_id) IN (${marks}) OR lower(origin_name) IN (${marks}))))
    OR (actor_type IN (${LONG_TERM})
        AND (lower(actor_arn) IN (${marks}) OR lower(actor_user_name) IN (${marks})
             OR lower(actor_on_behalf_of_user_id) IN (${marks}) OR lower(actor_invoked_by) IN (${marks})))
    OR (actor_type NOT IN (${LONG_TERM})
        AND (actor_access_key_id IS NULL OR actor_access_key_id NOT IN (SELECT access_key_id FROM credentials))
        AND (lower(actor_on_behalf_of_user_id) IN (${marks}) OR lower(actor_source_identity) IN (${marks})
             OR (lower(actor_session_name) IN (${marks})
                 AND (actor_issuer_arn LIKE '%/aws-reserved/sso.amazonaws.com/%' OR actor_session_name LIKE 'i-%'))))
  )`;
  const slots = (sql.match(/\?/g) ?? []).length / lower.length;
  return { sql, params: Array.from({ length: slots }, () => lower).flat() };
}

export function buildWhere(q: EventQuery): { where: string; params: DuckDBValue[] } {
  const where: string[] = [];
  const params: DuckDBValue[] = [];
  const anyOf = (column: string, values: string[] | undefined, isCaseless = false): void => {
    if (!values?.length) return;
    const col = isCaseless ? `lower(${column})` : column;
    where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values.map((v) => (isCaseless ? v.toLowerCase() : v)));
  };
  for (const [key, column, isCaseless] of LOOKUP_FILTERS) anyOf(column, lookupValues(q, key), isCaseless);
  if (q.userNames?.length) {
    const names = q.userNames.map((n) => n.toLowerCase());
    const marks = names.map(() => '?').join(', ');
    where.push(
      `(lower(actor_user_name) IN (${marks}) OR lower(actor_session_name) IN (${marks}) OR lower(actor_issuer_user_name) IN (${marks}))`,
    );
    params.push(...names, ...names, ...names);
  }
  if (q.origins?.length) {
    const { sql, params: p } = originCondition(q.origins);
    where.push(sql);
    params.push(...p);
  }
  if (q.resourceTypes?.length) {
    where.push(`list_has_any(resource_types, [${q.resourceTypes.map(() => '?').join(', ')}]::VARCHAR[])`);
    params.push(...q.resourceTypes);
  }
  if (q.resourceNames?.length) {
    // CloudTrail's console matches a resource by its name or ARN; an ARN ends with the name.
    const parts = q.resourceNames.map(() => `len(list_filter(resource_names, x -> x = ? OR x LIKE ?)) > 0`);
    where.push(`(${parts.join(' OR ')})`);
    for (const n of q.resourceNames) params.push(n, `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}`);
  }
  if (q.readOnly !== undefined) {
    where.push('read_only = ?');
    params.push(q.readOnly);
  }
  if (q.outcome === 'failure') where.push('error_code IS NOT NULL');
  if (q.outcome === 'success') where.push('error_code IS NULL');
  if (q.since !== undefined) {
    where.push('event_time >= ?');
    params.push(timestampValue(BigInt(Math.floor(q.since)) * 1000n));
  }
  if (q.until !== undefined) {
    where.push('event_time <= ?');
    params.push(timestampValue(BigInt(Math.floor(q.until)) * 1000n));
  }
  if (q.before) {
    // Row comparison matches the ORDER BY of buildSearch and lets zone maps prune.
    const at = timestampValue(BigInt(Math.floor(q.before.time)) * 1000n);
    if (q.before.account === undefined) {
      where.push('(event_time, event_id) < (?, ?)');
      params.push(at, q.before.eventId);
    } else {
      where.push('(event_time, event_id, recipient_account_id) < (?, ?, ?)');
      params.push(at, q.before.eventId, q.before.account);
    }
  }
  if (q.text) {
    where.push('contains(search_text, lower(?))');
    params.push(q.text);
  }
  return { where: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

/** The stored events' count and time span (epoch ms), from which search windows are sized. */
export interface EventSpan {
  count: number;
  first: number;
  last: number;
}

/** Events the first window of a windowed search spans (estimated); each next one spans 4 times more. */
const FIRST_WINDOW = 32_768;
const GROWTH = 4;

/**
 * Free text reads about 770 bytes of text per event, and the origin condition probes the ledger and
 * the issued key of each: per event they cost far more than the other filters (docs/performance.md).
 */
export function hasCostlyFilter(q: EventQuery): boolean {
  return Boolean(q.text) || Boolean(q.origins?.length);
}

/**
 * Runs a search newest first over consecutive time windows, stopping once the page is full: the
 * newest page of a costly filter seldom needs more than the newest part of the store, and DuckDB
 * skips the row-group segments outside a window by their min/max times. The windows are disjoint,
 * the first open above and the last open below, so the concatenated pages are exactly the single
 * query's page in its order (events of one millisecond share a window; stored times are whole ms).
 */
export async function searchInWindows<T>(
  q: EventQuery,
  span: EventSpan,
  run: (window: EventQuery) => Promise<T[]>,
  firstWindow = FIRST_WINDOW,
): Promise<T[]> {
  const limit = pageSize(q);
  const top = Math.floor(Math.min(q.until ?? Infinity, q.before?.time ?? Infinity, span.last));
  const bottom = Math.max(q.since ?? -Infinity, span.first);
  if (span.count === 0 || !(top >= bottom)) return run(q);
  let width = Math.max(1, Math.ceil(((span.last - span.first + 1) * firstWindow) / span.count));
  let until = q.until;
  let since = top - width + 1;
  const out: T[] = [];
  for (;;) {
    const isLast = since <= bottom;
    const bounds = { ...(until === undefined ? {} : { until }), ...(isLast ? {} : { since }) };
    out.push(...(await run({ ...q, ...bounds, limit: limit - out.length })));
    if (isLast || out.length >= limit) return out;
    until = since - 1;
    width *= GROWTH;
    since = until - width + 1;
  }
}

function pageSize(q: EventQuery): number {
  return Math.max(1, Math.min(q.limit ?? DEFAULT_LIMIT, 1_000_000));
}

export function buildSearch(q: EventQuery): { sql: string; params: DuckDBValue[] } {
  const { where, params } = buildWhere(q);
  const sql = `SELECT ${EVENT_SELECT} FROM events${where} ORDER BY event_time DESC, event_id DESC, recipient_account_id DESC LIMIT ${pageSize(q)}`;
  return { sql, params };
}
