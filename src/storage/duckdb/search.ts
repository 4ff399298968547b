// Event search: turns an EventQuery into one parameterised SQL statement over `events`.
import type { DuckDBValue } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { EventQuery, EventView } from '../port.js';
import { LONG_TERM_TYPES, LOOKUP_FILTERS, lookupValues } from '../columns.js';
import { couldBeId, EVENT_SELECT, LIST_SELECT, nameNeedle, SEARCH_COLUMNS, WHOLE_SELECT } from './columns.js';
import { blockConditions, RANGED_BLOCKS, type TextBlocks } from './text-index.js';

export const DEFAULT_LIMIT = 100;

const LONG_TERM = LONG_TERM_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Events whose resolved origin is one of `origins` (ids or names), one branch per way it can be
 * known: made with a key whose ledger row resolves to it, role owners' copies of calls whose
 * caller's copy does, by the long-term identity itself, or by a session whose issuing event is
 * unknown but whose record names the origin the way the fallback rules read it (pipeline/identity
 * mirrors these rules).
 */
function originBranches(origins: string[]): { sql: string; params: DuckDBValue[] }[] {
  const lower = origins.map((o) => o.toLowerCase());
  const marks = lower.map(() => '?').join(', ');
  const times = (n: number): string[] => Array.from({ length: n }, () => lower).flat();
  // True of every row where one of the names tested after it equals an origin (columns.ts).
  const named = `(${lower.map(() => 'contains(search_origin_names, ?)').join(' OR ')})`;
  const needles = lower.map(nameNeedle);
  return [
    {
      sql: `actor_access_key_id IN (SELECT access_key_id FROM credentials WHERE kind <> 'CreateAccessKey'
                             AND (lower(origin_id) IN (${marks}) OR lower(origin_name) IN (${marks})))`,
      params: times(2),
    },
    {
      sql: `actor_type = 'AWSAccount'
     AND json_extract_string(response_elements, '$.credentials.accessKeyId') IN (
       SELECT access_key_id FROM credentials WHERE caller_type <> 'AWSAccount'
       AND (lower(origin_id) IN (${marks}) OR lower(origin_name) IN (${marks})))`,
      params: times(2),
    },
    {
      sql: `${named} AND actor_type IN (${LONG_TERM})
     AND (lower(actor_arn) IN (${marks}) OR lower(actor_user_name) IN (${marks})
          OR lower(actor_on_behalf_of_user_id) IN (${marks}) OR lower(actor_invoked_by) IN (${marks}))`,
      params: [...needles, ...times(4)],
    },
    {
      sql: `${named} AND actor_type NOT IN (${LONG_TERM})
     AND (actor_access_key_id IS NULL OR actor_access_key_id NOT IN (SELECT access_key_id FROM credentials))
     AND (lower(actor_on_behalf_of_user_id) IN (${marks}) OR lower(actor_source_identity) IN (${marks})
          OR (lower(actor_session_name) IN (${marks})
              AND (actor_issuer_arn LIKE '%/aws-reserved/sso.amazonaws.com/%' OR actor_session_name LIKE 'i-%')))`,
      params: [...needles, ...times(3)],
    },
  ];
}

function originCondition(origins: string[]): { sql: string; params: DuckDBValue[] } {
  const branches = originBranches(origins);
  return {
    sql: `(${branches.map((b) => `(${b.sql})`).join(' OR ')})`,
    params: branches.flatMap((b) => b.params),
  };
}

/** The search columns free text is looked for in: `search_ids` only for text that could be part of an id. */
const searchedColumns = (text: string): string[] =>
  SEARCH_COLUMNS.filter((c) => c !== 'search_ids' || couldBeId(text));

/** Free text: a case-insensitive substring of any search column (columns.ts). */
function textMatch(text: string): { sql: string; params: DuckDBValue[] } {
  const columns = searchedColumns(text);
  return {
    sql: `(${columns.map((c) => `contains(${c}, lower(?))`).join(' OR ')})`,
    params: columns.map(() => text),
  };
}

/**
 * The row ids in `range` that free text matches, narrowed by the free-text index's blocks: one
 * SELECT per search column, joined by UNION, since a scan for the OR of them reads `search_rest` in
 * full (the index's filter holds only for that column). Without blocks, one scan of the OR.
 */
function textRowIds(
  text: string,
  range: string,
  blocks?: TextBlocks,
  ranges = RANGED_BLOCKS,
): { sql: string; params: DuckDBValue[] } {
  if (!blocks) {
    const match = textMatch(text);
    return { sql: `SELECT rowid AS rid FROM events WHERE ${range} AND ${match.sql}`, params: match.params };
  }
  // `search_rest` in the candidate blocks only (blockConditions), the other columns whole.
  const selects = searchedColumns(text).flatMap((c) =>
    (c === 'search_rest' ? blockConditions(blocks, ranges) : ['true']).map(
      (narrowed) =>
        `SELECT rowid AS rid FROM events WHERE ${range} AND ${narrowed} AND contains(${c}, lower(?))`,
    ),
  );
  return { sql: selects.join('\nUNION '), params: selects.map(() => text) };
}

/**
 * The row ids (column `rid`) in [from, to) that a query's costly filters match (null when it has
 * none). With origins, each branch of the origin condition is its own SELECT, joined by UNION: one
 * scan for the OR of them all reads every column any branch needs (the large response elements
 * included) for every row, where each branch reads its own columns for the rows its first test
 * leaves. Free text narrowed by the index's `blocks` is its own statement, intersected with them.
 */
export function costlyRowIds(
  q: EventQuery,
  from: number,
  to: number,
  blocks?: TextBlocks,
  ranges = RANGED_BLOCKS,
): { sql: string; params: DuckDBValue[] } | null {
  const range = `rowid >= ${Math.floor(from)} AND rowid < ${Math.floor(to)}`;
  if (!q.origins?.length) return q.text ? textRowIds(q.text, range, blocks, ranges) : null;
  const branches = originBranches(q.origins);
  if (q.text && blocks) {
    const text = textRowIds(q.text, range, blocks, ranges);
    return {
      sql: `SELECT rid FROM (${branches.map((b) => `SELECT rowid AS rid FROM events WHERE ${range} AND ${b.sql}`).join('\nUNION ')}) o
            INTERSECT SELECT rid FROM (${text.sql}) t`,
      params: [...branches.flatMap((b) => b.params), ...text.params],
    };
  }
  const match = q.text ? textMatch(q.text) : null;
  const also = match ? { sql: ` AND ${match.sql}`, params: match.params } : { sql: '', params: [] };
  return {
    sql: branches
      .map((b) => `SELECT rowid AS rid FROM events WHERE ${range} AND ${b.sql}${also.sql}`)
      .join('\nUNION '),
    params: branches.flatMap((b) => [...b.params, ...also.params]),
  };
}

/**
 * The rows a query's costly filters matched, remembered (hits.ts): `table` holds their row ids;
 * `rows` narrows the lookup to a row-id window.
 */
export interface HitsRef {
  table: string;
  rows?: { from: number; to: number } | undefined;
  /** The remembered row ids in `rows` themselves, when they are few (LISTED_HITS): read as a list. */
  ids?: readonly number[] | undefined;
}

/** Remembered row ids up to this many are listed in the query (rowIdsIn) rather than joined. */
export const LISTED_HITS = 2000;

/**
 * Rows by row id: the bounds let the scan skip the rest of the table (an IN list alone, or a
 * subquery, is joined with every row; 100 ids scattered over 1M rows: ~16 ms against ~7 ms).
 */
export function rowIdsIn(ids: readonly number[]): string {
  if (!ids.length) return 'false';
  return `rowid BETWEEN ${Math.min(...ids)} AND ${Math.max(...ids)} AND rowid IN (${ids.join(', ')})`;
}

/** The free text and origin conditions of a query (null when it has neither). */
function costlyCondition(q: EventQuery): { sql: string; params: DuckDBValue[] } | null {
  const parts: string[] = [];
  const params: DuckDBValue[] = [];
  if (q.origins?.length) {
    const { sql, params: p } = originCondition(q.origins);
    parts.push(sql);
    params.push(...p);
  }
  if (q.text) {
    const match = textMatch(q.text);
    parts.push(match.sql);
    params.push(...match.params);
  }
  return parts.length ? { sql: parts.join(' AND '), params } : null;
}

/**
 * The WHERE clause of a query; with `hits`, its costly filters are read from the remembered rows;
 * with `costlyRows` (row ids, costlyRowIds), from that statement.
 */
export function buildWhere(
  q: EventQuery,
  hits?: HitsRef,
  costlyRows?: { sql: string; params: DuckDBValue[] } | null,
): { where: string; params: DuckDBValue[] } {
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
    // The user, role session or issuer name: one column holds all three (columns.ts).
    where.push(`(${q.userNames.map(() => 'contains(search_names, ?)').join(' OR ')})`);
    params.push(...q.userNames.map(nameNeedle));
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
  if (hits?.ids) where.push(rowIdsIn(hits.ids));
  else if (hits) {
    const r = hits.rows;
    const range = r ? ` WHERE rid >= ${Math.floor(r.from)} AND rid < ${Math.floor(r.to)}` : '';
    where.push(`rowid IN (SELECT rid FROM ${hits.table}${range})`);
  } else if (costlyRows) {
    where.push(`rowid IN (${costlyRows.sql})`);
    params.push(...costlyRows.params);
  } else {
    const costly = costlyCondition(q);
    if (costly) {
      where.push(costly.sql);
      params.push(...costly.params);
    }
  }
  return { where: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
}

/** Rows the first window of a windowed search reads; each next one reads 4 times more. */
const FIRST_WINDOW = 32_768;
const GROWTH = 4;

/**
 * Free text reads about 350 bytes of text per event (columns.ts), and the origin condition probes
 * the ledger and the issued key of each: per event they cost far more than the other filters
 * (docs/performance.md).
 */
export function hasCostlyFilter(q: EventQuery): boolean {
  return Boolean(q.text) || Boolean(q.origins?.length);
}

/** What orders a page: newest first by time, then event id, then account (all descending). */
export interface PageKey {
  eventTime: number;
  eventId: string;
  recipientAccountId: string;
}

const desc = (a: string, b: string): number => (a < b ? 1 : a > b ? -1 : 0);

/** The store's page order: ORDER BY event_time DESC, event_id DESC, recipient_account_id DESC. */
export function newestFirst(a: PageKey, b: PageKey): number {
  return (
    b.eventTime - a.eventTime ||
    desc(a.eventId, b.eventId) ||
    desc(a.recipientAccountId, b.recipientAccountId)
  );
}

/** A search over the stored rows whose row ids are in [from, to). */
export type RowWindowRun<T> = (q: EventQuery, from: number, to: number) => Promise<T[]>;

/**
 * Runs a search over consecutive row-id windows, newest rows first, until the page is full and
 * every row not yet read is older than the page's last event. Events are stored about in time order
 * (sources are read in delivery order), so the newest page of a costly filter seldom needs more
 * than the newest rows, and a row-id range reads only the vectors it covers — where a time range
 * reads every 122,880-row group it overlaps. Late events stored after newer ones only make the
 * search read further: the page is always exactly the single query's page. `rows` is one past the
 * highest row id; `newestBelow(from)` is the newest event time among the rows below `from`. Each
 * window is at least 4 times the last, more when the hits so far say the page needs more rows.
 */
export async function searchInWindows<T extends PageKey>(
  q: EventQuery,
  rows: number,
  run: RowWindowRun<T>,
  newestBelow: (from: number) => Promise<number | null>,
  firstWindow = FIRST_WINDOW,
): Promise<T[]> {
  const limit = pageSize(q);
  if (rows <= 0) return [];
  let to = rows;
  let width = firstWindow;
  let page: T[] = [];
  for (;;) {
    const from = Math.max(0, to - width);
    page = [...page, ...(await run(q, from, to))].sort(newestFirst).slice(0, limit);
    if (from === 0) return page;
    const last = page[limit - 1];
    if (last) {
      const older = await newestBelow(from);
      if (older === null || last.eventTime > older) return page;
    }
    to = from;
    // Hits so far tell how many more rows the page needs; a rare term reads the rest at once.
    const needed = ((rows - from) * (limit - page.length)) / Math.max(page.length, 1);
    width = Math.max(width * GROWTH, Math.ceil(needed * 1.25));
  }
}

function pageSize(q: EventQuery): number {
  return Math.max(1, Math.min(q.limit ?? DEFAULT_LIMIT, 1_000_000));
}

/** The WHERE clause of buildWhere, bounded to the rows whose row ids are in [from, to). */
function boundedWhere(
  q: EventQuery,
  rows?: { from: number; to: number },
  hits?: HitsRef,
  blocks?: TextBlocks | null,
): { where: string; params: DuckDBValue[] } {
  // Free text narrowed by the index's blocks reads `search_rest` in those blocks only.
  const costly = !hits && blocks && rows ? costlyRowIds(q, rows.from, rows.to, blocks) : null;
  const { where, params } = buildWhere(q, hits, costly);
  const range = rows ? `rowid >= ${Math.floor(rows.from)} AND rowid < ${Math.floor(rows.to)}` : '';
  return { where: range ? (where ? `${where} AND ${range}` : ` WHERE ${range}`) : where, params };
}

const PAGE_ORDER = 'ORDER BY event_time DESC, event_id DESC, recipient_account_id DESC';

/**
 * The columns a page is read with: the storage port's EventView, or `columns` for whole events
 * from a store without its search columns (columns.ts WHOLE_SELECT).
 */
export type PageColumns = EventView | 'columns';

const SELECTS: Record<PageColumns, string> = { list: LIST_SELECT, full: WHOLE_SELECT, columns: EVENT_SELECT };

/**
 * The search's SQL; `rows` bounds it to the rows whose row ids are in [from, to); `hits` as
 * buildWhere; `view` list reads LIST_SELECT's columns only; `blocks` (with `rows`, without `hits`)
 * narrow its free text (costlyRowIds).
 */
export function buildSearch(
  q: EventQuery,
  rows?: { from: number; to: number },
  hits?: string,
  view: PageColumns = 'full',
  blocks?: TextBlocks | null,
): { sql: string; params: DuckDBValue[] } {
  const ref = hits === undefined ? undefined : { table: hits, rows };
  const { where, params } = boundedWhere(q, rows, ref, blocks);
  return { sql: `SELECT ${SELECTS[view]} FROM events${where} ${PAGE_ORDER} LIMIT ${pageSize(q)}`, params };
}

/** Pages up to this size from remembered hits are read in two steps (buildPageRowIds). */
export const TWO_STEP_PAGE = 1000;

/**
 * The first step of a page read from remembered hits: its row ids, with the keys that tell the
 * second step read the same rows (isSamePage). Reading every selected column of every hit in one
 * query costs a vector per column for each hit scattered over the store; the ids read only the
 * filter and order columns, and the second step (buildRowsById) only the page's rows (a rare
 * term's whole events at 1M: 247 -> ~85 ms, docs/performance.md).
 */
export function buildPageRowIds(q: EventQuery, hits: HitsRef): { sql: string; params: DuckDBValue[] } {
  const { where, params } = boundedWhere(q, hits.rows, hits);
  return {
    sql: `SELECT rowid AS rid, event_id, recipient_account_id FROM events${where} ${PAGE_ORDER} LIMIT ${pageSize(q)}`,
    params,
  };
}

/** The second step: the rows of these row ids (not empty), in page order. */
export function buildRowsById(ids: readonly number[], view: PageColumns): string {
  return `SELECT ${SELECTS[view]} FROM events WHERE ${rowIdsIn(ids)} ${PAGE_ORDER}`;
}

/**
 * Whether the second step read the rows the first step named, in its order (a row id names a
 * row's place in the table, which reclaiming deleted rows changes).
 */
export function isSamePage(
  keys: readonly Record<string, unknown>[],
  rows: readonly Record<string, unknown>[],
): boolean {
  const key = (r: Record<string, unknown> | undefined): string =>
    r ? `${String(r.event_id)}\u0000${String(r.recipient_account_id)}` : '';
  return rows.length === keys.length && keys.every((k, i) => key(k) === key(rows[i]));
}
