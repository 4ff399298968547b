// Event search over ClickHouse: an EventQuery as one WHERE clause, every value escaped by sql.ts.
import { LONG_TERM_TYPES, LOOKUP_FILTERS, lookupValues, TEXT_COLUMNS } from '../columns.js';
import type { EventQuery } from '../port.js';
import { dateTime, sqlList, sqlValue } from './sql.js';

export const DEFAULT_LIMIT = 100;

const LONG_TERM = sqlList(LONG_TERM_TYPES);

/** `lower()` of a column compared with lower-cased values: one of them. */
function lowerIn(column: string, values: readonly string[]): string {
  return `lowerUTF8(${column}) IN ${sqlList(values.map((v) => v.toLowerCase()))}`;
}

/**
 * Events whose resolved origin is one of `origins`, by the same rules as the DuckDB store (and
 * pipeline/identity): a key whose ledger row resolves to it, the role owner's copy of a call whose
 * issued key does, the long-term identity itself, or an unknown session naming it by convention.
 * `GLOBAL IN` reads the ledger once even when both tables are distributed.
 */
function originCondition(origins: readonly string[]): string {
  const byOrigin = `(${lowerIn('origin_id', origins)} OR ${lowerIn('origin_name', origins)})`;
  return `(
    actor_access_key_id GLOBAL IN (SELECT access_key_id FROM credentials FINAL
                                   WHERE kind != 'CreateAccessKey' AND ${byOrigin})
    OR (actor_type = 'AWSAccount' AND issued_key GLOBAL IN (
          SELECT access_key_id FROM credentials FINAL WHERE ifNull(caller_type, '') != 'AWSAccount' AND ${byOrigin}))
    OR (actor_type IN ${LONG_TERM}
        AND (${lowerIn('actor_arn', origins)} OR ${lowerIn('actor_user_name', origins)}
             OR ${lowerIn('actor_on_behalf_of_user_id', origins)} OR ${lowerIn('actor_invoked_by', origins)}))
    OR (actor_type NOT IN ${LONG_TERM}
        AND (actor_access_key_id IS NULL
             OR actor_access_key_id GLOBAL NOT IN (SELECT access_key_id FROM credentials))
        AND (${lowerIn('actor_on_behalf_of_user_id', origins)} OR ${lowerIn('actor_source_identity', origins)}
             OR (${lowerIn('actor_session_name', origins)}
                 AND (actor_issuer_arn LIKE '%/aws-reserved/sso.amazonaws.com/%' OR actor_session_name LIKE 'i-%'))))
  )`;
}

/** Resource name matches a name or ARN: CloudTrail's console matches an ARN by its ending. */
function resourceCondition(names: readonly string[]): string {
  const tests = names.map((n) => `x = ${sqlValue(n)} OR endsWith(x, ${sqlValue(n)})`).join(' OR ');
  return `arrayExists(x -> ${tests}, resource_names)`;
}

export function buildWhere(q: EventQuery): string {
  const where: string[] = [];
  const anyOf = (column: string, values: string[] | undefined, isCaseless = false): void => {
    if (!values?.length) return;
    where.push(isCaseless ? lowerIn(column, values) : `${column} IN ${sqlList(values)}`);
  };
  for (const [key, column, isCaseless] of LOOKUP_FILTERS) anyOf(column, lookupValues(q, key), isCaseless);
  if (q.userNames?.length) {
    const names = q.userNames;
    where.push(
      `(${lowerIn('actor_user_name', names)} OR ${lowerIn('actor_session_name', names)} OR ${lowerIn('actor_issuer_user_name', names)})`,
    );
  }
  if (q.origins?.length) where.push(originCondition(q.origins));
  if (q.resourceTypes?.length) where.push(`hasAny(resource_types, ${sqlValue(q.resourceTypes)})`);
  if (q.resourceNames?.length) where.push(resourceCondition(q.resourceNames));
  if (q.readOnly !== undefined) where.push(`read_only = ${sqlValue(q.readOnly)}`);
  if (q.outcome === 'failure') where.push('error_code IS NOT NULL');
  if (q.outcome === 'success') where.push('error_code IS NULL');
  // The DateTime bound (seconds) lets the primary key prune; the millisecond column decides.
  if (q.since !== undefined) {
    where.push(
      `event_time >= ${sqlValue(dateTime(q.since))}`,
      `event_ms >= ${sqlValue(Math.floor(q.since))}`,
    );
  }
  if (q.until !== undefined) {
    where.push(
      `event_time <= ${sqlValue(dateTime(q.until))}`,
      `event_ms <= ${sqlValue(Math.floor(q.until))}`,
    );
  }
  if (q.before) {
    const t = sqlValue(Math.floor(q.before.time));
    const id = sqlValue(q.before.eventId);
    // (time, eventId[, account]) strictly before the cursor, in the order of buildSearch
    const sameId =
      q.before.account === undefined
        ? '0'
        : `(event_id = ${id} AND recipient_account_id < ${sqlValue(q.before.account)})`;
    where.push(
      `event_time <= ${sqlValue(dateTime(q.before.time))}`,
      `(event_ms < ${t} OR (event_ms = ${t} AND (event_id < ${id} OR ${sameId})))`,
    );
  }
  if (q.text) {
    const needle = sqlValue(q.text);
    where.push(
      `(${TEXT_COLUMNS.map((c) => `positionCaseInsensitiveUTF8(ifNull(${c}, ''), ${needle}) > 0`).join(' OR ')})`,
    );
  }
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}

export function buildSearch(q: EventQuery): string {
  const limit = Math.max(1, Math.min(Math.floor(q.limit ?? DEFAULT_LIMIT), 1_000_000));
  // Not FINAL: on 18.16 FINAL merges every part of every month at once, with a read buffer per column
  // and part (gigabytes for a few years of data); LIMIT 1 BY drops a not yet merged copy instead.
  return `SELECT * FROM events${buildWhere(q)} ORDER BY event_ms DESC, event_id DESC, recipient_account_id DESC
    LIMIT 1 BY event_id, recipient_account_id LIMIT ${limit}`;
}
