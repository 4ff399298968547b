// The embedded DuckDB store: one file, migrations on open, one transaction per appended batch.
import { DuckDBInstance, timestampValue, type DuckDBConnection } from '@duckdb/node-api';
import type { CloudTrailEvent, EventLocation } from '../../domain/event.js';
import { withoutCursor } from '../columns.js';
import type { StoredCredential } from '../../domain/identity.js';
import type { AppendResult, IngestBatch, QuarantineEntry } from '../../domain/ingest.js';
import type {
  AccountFreshness,
  Store,
  StoreStats,
  ObjectSummary,
  EventQuery,
  EventSummary,
  EventView,
  FacetField,
  Timeline,
} from '../port.js';
import { StoreError } from '../port.js';
import {
  alertFunctions,
  appendMatches,
  insertStagedMatches,
  MATCHES_STAGE,
  PENDING_FROM_STAGE,
} from './alerts.js';
import { operationFunctions } from './operations.js';
import { outboxFunctions } from './outbox.js';
import { DERIVED_COLUMNS, EVENT_COLUMNS, rowToWholeEvent, STORED_COLUMNS } from './columns.js';
import { appendRows, type Column } from './chunks.js';
import { byRow, stage } from './stage.js';
import { rowToEvent, rowToCredential, type Row } from '../rows.js';
import { histogramOf, timelineOf } from '../histogram.js';
import { appendCredential, CREDENTIAL_SELECT } from './credentials.js';
import { MIGRATIONS } from './migrations.js';
import {
  buildPageRowIds,
  buildRowsById,
  buildSearch,
  buildWhere,
  DEFAULT_LIMIT,
  hasCostlyFilter,
  isSamePage,
  LISTED_HITS,
  type PageColumns,
  searchInWindows,
  TWO_STEP_PAGE,
  type HitsRef,
} from './search.js';
import { openHitCache, readRowCount } from './hits.js';
import { BLOCK_ROWS, findTextBlocks, indexTextBlocks, tooManyBlocks, type TextBlocks } from './text-index.js';
import { readListed } from './list.js';
import { buildSummary, buildTimeline, readSummary, readTimeline } from './summary.js';

/** The window of the batch: duplicates share their event time, and the bound lets zone maps prune. */
const IN_BATCH_WINDOW = `e.event_time BETWEEN (SELECT min(event_time) FROM temp.events_stage)
                                  AND (SELECT max(event_time) FROM temp.events_stage)`;
const SAME_KEY = 'e.event_id = s.event_id AND e.recipient_account_id = s.recipient_account_id';

/** A re-delivered copy agrees with the stored event on everything that identifies the call. */
const SAME_CONTENT = [
  'event_time',
  'event_name',
  'event_source',
  'request_id',
  'actor_arn',
  'actor_access_key_id',
  'source_ip',
  'user_agent',
  'error_code',
  'request_parameters',
  'response_elements',
]
  .map((c) => `e.${c} IS NOT DISTINCT FROM s.${c}`)
  .join(' AND ');

/**
 * Matches of events the store already holds are dropped: a stored event keeps its own matches,
 * which are made again when its attribution changes (a re-delivery must not bring back old ones).
 */
const DROP_STORED_MATCHES = `
  DELETE FROM temp.matches_stage s
  WHERE EXISTS (SELECT 1 FROM events e WHERE ${IN_BATCH_WINDOW} AND ${SAME_KEY})`;

/**
 * The first copy of each (eventID, recipient account) that the store does not hold yet, in time
 * order (a batch is staged in time order and numbered so: `seq`): a batch then fills row-group
 * segments of narrow time spans, which time bounds and the newest-first top-N skip by their
 * min/max (unordered, the window function scatters a batch).
 */
const insertNew = (searchable: boolean): string => `
  INSERT INTO events BY NAME
  SELECT * EXCLUDE (rn), ${DERIVED_COLUMNS.map(([c, v]) => `${searchable ? v : 'NULL'} AS ${c}`).join(', ')} FROM (
    SELECT *, row_number() OVER (PARTITION BY event_id, recipient_account_id ORDER BY object_id, record_index) AS rn
    FROM temp.events_stage) s
  WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM events e WHERE ${IN_BATCH_WINDOW} AND ${SAME_KEY})
  ORDER BY seq`;

/** A staged event's columns: the stored ones (EVENT_COLUMNS), then its `seq`. */
const STAGED_EVENT_COLUMNS: readonly Column<{ event: CloudTrailEvent; seq: number }>[] = [
  ...EVENT_COLUMNS.map((read) => (r: { event: CloudTrailEvent }) => read(r.event)),
  (r) => BigInt(r.seq),
];

/**
 * After insertNew's statement every staged record has a stored twin with its key. One whose twin
 * differs in content is not a re-delivery but another record reusing the id: quarantined, not dropped.
 */
const QUARANTINE_CONFLICTS = `
  INSERT INTO quarantine
  SELECT s.object_id, s.record_index, 'conflicting-event-id',
         'eventID ' || s.event_id || ' in account ' || s.recipient_account_id ||
         ' is already stored for a different record; this one is kept here', NULL
  FROM temp.events_stage s
  WHERE NOT EXISTS (SELECT 1 FROM events e WHERE ${IN_BATCH_WINDOW} AND ${SAME_KEY} AND ${SAME_CONTENT})`;

/** A column value as text (DuckDB's JS values are strings, numbers, bigints or null here). */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return '';
}

/**
 * DuckDB's buffer limit. Its own default takes 80% of the machine's memory for caches; ingest needs
 * far less (at 200k events with the pack: peak RSS 1.50 GB at 768MB, 1.13 GB at 384MB, no slower; at
 * 1M without rules 1,564 MB at 512MB and 1,461 MB at 384MB, 140 and 153 s in one run each on a
 * shared machine). A store opened to write in bulk (ingest, hunt, watch) gets less again: its peak
 * RSS is this limit plus what checkpoints allocate beside it (+250-370 MB within 0.3 s of a
 * `COMMIT` that checkpoints) plus the JavaScript heap. The first 3M events of the 10M corpus
 * without rules peaked at 1,310,340 kB with 384MB and 1,095,552 kB with 256MB; 1M events took as
 * long either way (82-90 s without rules, 187 s with the pack). Queries keep 384MB: pages that read
 * scattered rows were slower with 256MB (a rare term's page at 1M 212 -> 246 ms).
 */
export const MEMORY_LIMITS = { query: '384MB', bulk: '256MB' } as const;

/**
 * A top-N query up to this many rows sorts only the keys, then reads the page's whole rows
 * (DuckDB's own default is 50; the explorer pages 100-200). At 1M events, 100 rows by event name:
 * 94 -> 23 ms; 2000 rows: 307 -> 239 ms; 10,000 rows were slower (1.07 -> 1.12 s).
 */
const LATE_MATERIALIZATION_MAX_ROWS = '2000';

/**
 * DuckDB checkpoints once the write-ahead log passes this size (its default is 16 MB, about one
 * 20k-event batch): each checkpoint rewrites the partly filled row groups again. 200k events,
 * alternating runs on a quiet machine: without rules 20.2 s (16 MB) -> 16.8 s (64 MB) -> 17.3 s
 * (256 MB), with the pack 44.7-45.3 -> 40.6-42.3 -> 38.9-41.3 s, peak RSS alike (0.9-1.2 GB).
 * At 1M with the pack the checkpoints were 201 s of 706 (64 MB); the two side by side: 306 s and
 * 1,228 MB peak RSS (64 MB) against 273 s and 1,135 MB (256 MB), the same matches and alerts.
 */
const CHECKPOINT_THRESHOLD = '256MB';

/** Late materialization for row-id windows (their own connection): none. */
const WINDOW_LATE_MATERIALIZATION = 0;

async function migrate(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)',
  );
  const done = await conn.runAndReadAll('SELECT version FROM schema_migrations');
  const applied = new Set(done.getRowsJS().map((r) => Number(r[0])));
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(m.sql);
      await conn.run('INSERT INTO schema_migrations VALUES (?, now())', [m.version]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }
}

function toStoreError(path: string, err: unknown): StoreError {
  const message = (err as Error).message;
  if (/lock/i.test(message))
    return new StoreError(
      `the store ${path} is in use by another Trailwatch process (DuckDB allows one writer); stop it or use --db OTHER.duckdb`,
    );
  return new StoreError(`cannot open the store ${path}: ${message}`);
}

/**
 * How a store is opened: `bulk` for writers of many events (the smaller buffer, MEMORY_LIMITS);
 * `textIndex: false` for a store no one will search (a kept hunt store): appends leave the
 * free-text index behind, and the next open that keeps it catches up (text-index.ts);
 * `searchable: false` for a store that is deleted after its alerts are read (hunt's temporary
 * one): the columns computed for free text, names, origins and lists (DERIVED_COLUMNS) are stored
 * empty, which leaves a third less to compute and write, and a search that needs them is refused.
 * Those rows stay so: such a store must not be kept.
 */
export interface OpenOptions {
  bulk?: boolean;
  textIndex?: boolean;
  searchable?: boolean;
}

/** Whether a query or view reads the columns a store opened with `searchable: false` leaves empty. */
export function readsDerivedColumns(q: EventQuery, view: EventView = 'full'): boolean {
  return view === 'list' || Boolean(q.text) || Boolean(q.userNames?.length) || Boolean(q.origins?.length);
}

/** The DuckDB settings a store is opened with. */
export function duckDbConfig(options: OpenOptions = {}): Record<string, string> {
  return {
    memory_limit: options.bulk ? MEMORY_LIMITS.bulk : MEMORY_LIMITS.query,
    late_materialization_max_rows: LATE_MATERIALIZATION_MAX_ROWS,
    checkpoint_threshold: CHECKPOINT_THRESHOLD,
  };
}

export async function openDuckDbStore(
  path: string,
  now: () => number = Date.now,
  options: OpenOptions = {},
): Promise<Store> {
  let conn: DuckDBConnection;
  let maintenance: DuckDBConnection;
  let windows: DuckDBConnection;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, duckDbConfig(options));
    conn = await instance.connect();
    await migrate(conn);
    maintenance = await instance.connect();
    windows = await instance.connect();
    await windows.run(`SET late_materialization_max_rows = ${WINDOW_LATE_MATERIALIZATION}`);
  } catch (err) {
    throw toStoreError(path, err);
  }
  // Batches are appended to temporary copies of the tables, then moved in one transaction.
  await conn.run(MATCHES_STAGE);
  for (const table of ['events', 'credentials', 'objects', 'quarantine']) {
    // The derived columns are computed from the staged columns when events are inserted.
    const columns = table === 'events' ? `${STORED_COLUMNS}, seq` : '*';
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table}_stage AS SELECT ${columns} FROM ${table} LIMIT 0`);
  }
  // Lists of alert keys and ids that evaluation joins (alerts.ts, stageLists).
  await conn.run('CREATE OR REPLACE TEMP TABLE key_lists (list VARCHAR, k VARCHAR)');
  // The next event's seq, and the blocks of the free-text index filled (all below this one).
  const next = await conn.runAndReadAll(
    `SELECT (SELECT coalesce(max(seq) + 1, 0) FROM events) AS seq,
            (SELECT coalesce(max(block) + 1, 0) FROM text_blocks) AS block`,
  );
  let nextSeq = Number(next.getRowObjectsJS()[0]?.seq ?? 0);
  let textIndexed = Number(next.getRowObjectsJS()[0]?.block ?? 0);
  const isSearchable = options.searchable ?? true;
  const isTextIndexed = isSearchable && (options.textIndex ?? true);
  const INSERT_NEW = insertNew(isSearchable);
  /** Refuses what a store without its search columns cannot answer (OpenOptions `searchable`). */
  const checkSearchable = (q: EventQuery, view?: EventView): void => {
    if (!isSearchable && readsDerivedColumns(q, view))
      throw new StoreError(
        `the store ${path} keeps no search columns (a temporary hunt store): free text, names, origins and lists cannot be searched in it`,
      );
  };
  if (isTextIndexed) {
    // Blocks completed while the index was left behind (migration 12, hunt's store).
    const complete = Math.floor(nextSeq / BLOCK_ROWS);
    await indexTextBlocks(conn, textIndexed, complete);
    textIndexed = Math.max(textIndexed, complete);
  }
  /**
   * The free-text index's blocks of the texts asked last: a search's first window and its cover
   * ask alike. Kept until a block is added, though older ones stay right: blocks indexed after a
   * lookup are read in full (blockConditions).
   */
  const blockMemo = new Map<string, Promise<TextBlocks | null>>();
  let memoIndexed = -1;
  const textBlocksOf = (text: string): Promise<TextBlocks | null> => {
    if (memoIndexed !== textIndexed || blockMemo.size >= 16) blockMemo.clear();
    memoIndexed = textIndexed;
    let found = blockMemo.get(text);
    if (!found) {
      found = findTextBlocks(conn, text, textIndexed, tooManyBlocks(textIndexed));
      found.catch(() => blockMemo.delete(text));
      blockMemo.set(text, found);
    }
    return found;
  };
  /**
   * One past the highest row id. A search with a costly filter and each count of its remembered
   * matches ask for it (~1.5 ms each at 1M, four times in an explorer round), and only an append
   * or a prune changes it: it is kept until one runs (store methods run one at a time).
   */
  let rowCountKept: number | null = null;
  const rowCount = async (): Promise<number> => (rowCountKept ??= await readRowCount(conn));
  /** Runs a change of the events table, after which the row count is read again. */
  const changingRows = async <T>(change: () => Promise<T>): Promise<T> => {
    try {
      return await change();
    } finally {
      rowCountKept = null;
    }
  };
  const hitCache = await openHitCache(conn, undefined, textBlocksOf, rowCount);

  async function appendBatch(batch: IngestBatch): Promise<AppendResult> {
    // Numbered from the store's next seq in time order; numbers of rows not stored are not reused.
    const base = nextSeq;
    const ordered = [...batch.events].sort((a, b) => a.eventTime - b.eventTime);
    const numbered = ordered.map((event, i) => ({ event, seq: base + i }));
    await stage(conn, 'events_stage', numbered, (a, rows) => appendRows(a, rows, STAGED_EVENT_COLUMNS));
    await stage(conn, 'credentials_stage', batch.credentials, byRow(appendCredential));
    await stage(conn, 'matches_stage', batch.matches, appendMatches);
    await stage(
      conn,
      'objects_stage',
      batch.objects,
      byRow((a, o) => {
        a.appendVarchar(o.objectId);
        a.appendVarchar(o.identity);
        a.appendVarchar(o.uri);
        a.appendBigInt(BigInt(o.size));
        a.appendVarchar(o.kind);
        a.appendInteger(o.records);
        a.appendInteger(o.quarantined);
        a.appendTimestamp(timestampValue(BigInt(now()) * 1000n));
        a.appendBlob(o.content);
      }),
    );
    await stage(
      conn,
      'quarantine_stage',
      batch.quarantine,
      byRow((a, q) => {
        a.appendVarchar(q.objectId);
        if (q.index === null) a.appendNull();
        else a.appendInteger(q.index);
        a.appendVarchar(q.reason);
        a.appendVarchar(q.detail);
        if (q.sample === null) a.appendNull();
        else a.appendVarchar(JSON.stringify(q.sample));
      }),
    );
    await conn.run('BEGIN TRANSACTION');
    try {
      if (batch.matches.length && batch.events.length) await conn.run(DROP_STORED_MATCHES);
      const inserted = await conn.run(INSERT_NEW);
      const appended = base + batch.events.length;
      const indexed = isTextIndexed ? Math.floor(appended / BLOCK_ROWS) : textIndexed;
      await indexTextBlocks(conn, textIndexed, indexed);
      const conflicts = await conn.run(QUARANTINE_CONFLICTS);
      if (batch.matches.length) {
        await insertStagedMatches(conn, true);
        await conn.run(PENDING_FROM_STAGE);
      }
      if (batch.credentials.length)
        await conn.run('INSERT OR REPLACE INTO credentials SELECT * FROM temp.credentials_stage');
      await conn.run(
        'INSERT INTO objects SELECT * FROM temp.objects_stage ON CONFLICT (object_id) DO NOTHING',
      );
      if (batch.quarantine.length)
        await conn.run('INSERT INTO quarantine SELECT * FROM temp.quarantine_stage');
      await conn.run('COMMIT');
      nextSeq = appended;
      textIndexed = indexed;
      if (batch.credentials.length) await hitCache.ledgerChanged();
      const stored = inserted.rowsChanged;
      const conflicting = conflicts.rowsChanged;
      return { stored, duplicates: batch.events.length - stored - conflicting, conflicts: conflicting };
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }

  async function storedObjects(identities: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < identities.length; i += 1000) {
      const chunk = identities.slice(i, i + 1000);
      const r = await conn.runAndReadAll(
        `SELECT identity FROM objects WHERE identity IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const [id] of r.getRowsJS()) found.add(text(id));
    }
    return found;
  }

  async function searchOnce(
    q: EventQuery,
    view: PageColumns,
    rows?: { from: number; to: number },
    on = conn,
    hits?: string,
    blocks?: TextBlocks | null,
  ): Promise<CloudTrailEvent[]> {
    const found = hits === undefined ? null : await pageByRowIds(q, view, hits, rows, on);
    if (found) return found;
    const { sql, params } = buildSearch(q, rows, hits, view, blocks);
    const page = await readPage(on, view, (await on.runAndReadAll(sql, params)).getRowObjects());
    return page ?? searchOnce(q, 'columns', rows, on, hits, blocks);
  }

  /**
   * The events of a page's rows; null for whole events when a row has no `list_actor`: only a
   * store that keeps no search columns stores rows so, and they are read again by every column.
   */
  async function readPage(
    on: DuckDBConnection,
    view: PageColumns,
    rows: Row[],
  ): Promise<CloudTrailEvent[] | null> {
    if (view === 'list') return readListed(on, rows);
    if (view === 'columns') return rows.map(rowToEvent);
    return rows.every((r) => typeof r.list_actor === 'string') ? rows.map(rowToWholeEvent) : null;
  }

  /**
   * A page of remembered hits in two steps (search.ts buildPageRowIds); null when the page is too
   * large for it, or when the second step did not read the rows the first named: the one-query read
   * answers then. Store methods run one at a time (serialized), so no prune lands between the
   * steps; the check only keeps a wrong page from being shown should rows ever move.
   */
  async function pageByRowIds(
    q: EventQuery,
    view: PageColumns,
    hits: string,
    rows: { from: number; to: number } | undefined,
    on: DuckDBConnection,
  ): Promise<CloudTrailEvent[] | null> {
    if ((q.limit ?? DEFAULT_LIMIT) > TWO_STEP_PAGE) return null;
    const { sql, params } = buildPageRowIds(q, await hitsRef(hits, rows, on));
    const keys = (await on.runAndReadAll(sql, params)).getRowObjectsJS();
    if (!keys.length) return [];
    const page = keys.map((k) => Number(k.rid));
    const found = (await on.runAndReadAll(buildRowsById(page, view))).getRowObjects();
    return isSamePage(keys, found) ? readPage(on, view, found) : null;
  }

  async function locateEvents(q: EventQuery): Promise<EventLocation[]> {
    checkSearchable(q);
    const { where, params } = buildWhere(withoutCursor(q));
    const r = await conn.runAndReadAll(
      `SELECT event_id, recipient_account_id, epoch_ms(event_time), object_id, record_index FROM events${where}`,
      params,
    );
    return r.getRowsJS().map(([eventId, account, time, objectId, index]) => ({
      eventId: eventId as string,
      recipientAccountId: account as string,
      eventTime: Number(time),
      origin: { objectId: objectId as string, index: Number(index) },
    }));
  }

  async function searchEvents(q: EventQuery, asked: EventView = 'full') {
    checkSearchable(q, asked);
    const view: PageColumns = asked === 'full' && !isSearchable ? 'columns' : asked;
    if (!hasCostlyFilter(q)) return searchOnce(q, view);
    const rows = await rowCount();
    const newestBelow = async (from: number): Promise<number | null> => {
      const t = await windows.runAndReadAll(
        `SELECT epoch_ms(max(event_time)) AS t FROM events WHERE rowid < ${Math.floor(from)}`,
      );
      const v = t.getRowObjectsJS()[0]?.t;
      return v === null || v === undefined ? null : Number(v);
    };
    // Matches kept by the counts of the same filter are joined (the next page, a facet clicked).
    let hits = (await hitCache.known(q)) ?? undefined;
    let partial = false;
    // A text in few blocks narrows the first window as it does the cover (which asks the same).
    const blocks = hits === undefined && q.text ? await textBlocksOf(q.text) : null;
    // The first window may be dense: late materialization reads its page's rows only. A later
    // window is sparse (the first did not fill the page), and reading it twice costs more.
    const run = async (w: EventQuery, from: number, to: number) => {
      // The newest rows did not fill the page: keep the matches of the rows read down to this
      // window and page from them. The explorer's counts then read only the rows below, so each
      // row is read once, and a spread term's page needs only as many rows as it takes to fill
      // it (a rare term's window reaches the first row: one read of them all).
      if (to !== rows && (hits === undefined || partial)) {
        hits = (await hitCache.coverFrom(q, from)) ?? undefined;
        partial = from > 0;
      }
      return searchOnce(w, view, { from, to }, to === rows ? conn : windows, hits, blocks);
    };
    return searchInWindows(q, rows, run, newestBelow);
  }

  function histogram(q: EventQuery, start: number, bucketMs: number, buckets: number) {
    return histogramOf(q, start, bucketMs, buckets, async (bounded, from, step) => {
      const { where, params } = buildWhere(bounded);
      const r = await conn.runAndReadAll(
        `SELECT (epoch_ms(event_time) - ${from}) // ${step} AS b, count(*) AS n, count(error_code) AS e
         FROM events${where} GROUP BY 1`,
        params,
      );
      return r
        .getRowObjectsJS()
        .map((row) => ({ bucket: Number(row.b), count: Number(row.n), errors: Number(row.e) }));
    });
  }

  /** The remembered matches of a query's costly filters, if it has any and they are kept. */
  async function hitsOf(q: EventQuery): Promise<HitsRef | undefined> {
    const table = await hitCache.cover(q);
    return table === null ? undefined : hitsRef(table);
  }

  /** Remembered matches in `table` (row ids in `rows`), with the ids themselves when they are few. */
  async function hitsRef(table: string, rows?: { from: number; to: number }, on = conn): Promise<HitsRef> {
    const range = rows ? ` WHERE rid >= ${Math.floor(rows.from)} AND rid < ${Math.floor(rows.to)}` : '';
    const listed = (await on.runAndReadAll(`SELECT rid FROM ${table}${range} LIMIT ${LISTED_HITS + 1}`))
      .getRowsJS()
      .map(([rid]) => Number(rid));
    return { table, rows, ids: listed.length <= LISTED_HITS ? listed : undefined };
  }

  async function timeline(q: EventQuery, buckets: number): Promise<Timeline> {
    checkSearchable(q);
    // Without a filter the span comes from the row groups' statistics: two passes are cheaper.
    if (buckets < 1 || !buildWhere(q).where) return timelineOf({ summarizeEvents, histogram }, q, buckets);
    const { sql, params } = buildTimeline(q, buckets, await hitsOf(q));
    const r = await conn.runAndReadAll(sql, params);
    return readTimeline(r.getRowObjectsJS(), buckets);
  }

  async function summarizeEvents(
    q: EventQuery,
    facets: readonly FacetField[],
    top = 10,
  ): Promise<EventSummary> {
    checkSearchable(q);
    const { sql, params, fields } = buildSummary(q, facets, top, await hitsOf(q));
    const r = await conn.runAndReadAll(sql, params);
    return readSummary(r.getRowObjectsJS(), fields);
  }

  const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

  async function credentialsWhere(where: string, params: string[], limit = 100_000) {
    const r = await conn.runAndReadAll(
      `SELECT ${CREDENTIAL_SELECT} FROM credentials WHERE ${where} ORDER BY issued_at, access_key_id LIMIT ${Math.floor(limit)}`,
      params,
    );
    return r.getRowObjects().map(rowToCredential);
  }

  async function credentials(keys: readonly string[]) {
    const out = new Map<string, StoredCredential>();
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      if (!chunk.length) continue;
      for (const c of await credentialsWhere(`access_key_id IN (${inList(chunk.length)})`, chunk))
        out.set(c.accessKeyId, c);
    }
    return out;
  }

  async function credentialChildren(parentKeys: readonly string[]) {
    const out: StoredCredential[] = [];
    for (let i = 0; i < parentKeys.length; i += 1000) {
      const chunk = parentKeys.slice(i, i + 1000);
      if (chunk.length)
        out.push(...(await credentialsWhere(`caller_access_key_id IN (${inList(chunk.length)})`, chunk)));
    }
    return out;
  }

  function findCredentials(term: string, limit = 1000) {
    const t = term.toLowerCase();
    return credentialsWhere(
      `access_key_id = ? OR caller_access_key_id = ? OR lower(origin_id) = ? OR lower(origin_name) = ?
       OR lower(target_arn) = ? OR lower(role_arn) = ? OR lower(session_name) = ? OR lower(caller_arn) = ?`,
      [term, term, t, t, t, t, t, t],
      limit,
    );
  }

  async function objectContents(ids: readonly string[]) {
    const out = new Map<string, { uri: string; content: Uint8Array }>();
    if (!ids.length) return out;
    const r = await conn.runAndReadAll(
      `SELECT object_id, uri, content FROM objects WHERE object_id IN (${ids.map(() => '?').join(', ')})`,
      [...ids],
    );
    for (const row of r.getRowObjects()) {
      const content = row.content as { bytes: Uint8Array };
      out.set(text(row.object_id), { uri: text(row.uri), content: content.bytes });
    }
    return out;
  }

  async function quarantine(limit = 1000) {
    const r = await conn.runAndReadAll(
      `SELECT q.*, o.uri FROM quarantine q LEFT JOIN objects o USING (object_id)
       ORDER BY o.ingested_at DESC, q.object_id, q.record_index LIMIT ${Math.floor(limit)}`,
    );
    return r.getRowObjectsJS().map((row): QuarantineEntry & { uri: string } => ({
      objectId: text(row.object_id),
      index: row.record_index === null ? null : Number(row.record_index),
      reason: text(row.reason) as QuarantineEntry['reason'],
      detail: text(row.detail),
      sample: typeof row.sample === 'string' ? (JSON.parse(row.sample) as QuarantineEntry['sample']) : null,
      uri: text(row.uri),
    }));
  }

  async function objects(limit = 1000): Promise<ObjectSummary[]> {
    const r = await conn.runAndReadAll(
      `SELECT object_id, uri, kind, records, quarantined, epoch_ms(ingested_at) AS at FROM objects
       ORDER BY ingested_at DESC, uri LIMIT ${Math.floor(limit)}`,
    );
    return r.getRowObjectsJS().map((row) => ({
      objectId: text(row.object_id),
      uri: text(row.uri),
      kind: text(row.kind) as ObjectSummary['kind'],
      records: Number(row.records),
      quarantined: Number(row.quarantined),
      ingestedAt: Number(row.at),
    }));
  }

  async function stats(): Promise<StoreStats> {
    const r = await conn.runAndReadAll(`
      SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM objects) AS objects,
             (SELECT count(*) FROM quarantine) AS quarantined,
             (SELECT epoch_ms(max(event_time)) FROM events) AS newest,
             (SELECT epoch_ms(min(event_time)) FROM events) AS oldest`);
    const row = r.getRowObjectsJS()[0] ?? {};
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return {
      events: Number(row.events ?? 0),
      objects: Number(row.objects ?? 0),
      quarantined: Number(row.quarantined ?? 0),
      newestEventTime: num(row.newest),
      oldestEventTime: num(row.oldest),
    };
  }

  async function freshness(): Promise<AccountFreshness[]> {
    const r = await conn.runAndReadAll(`
      SELECT e.recipient_account_id AS account, epoch_ms(max(e.event_time)) AS newest,
             epoch_ms(max(o.ingested_at)) AS ingested
      FROM events e JOIN objects o USING (object_id)
      GROUP BY 1 ORDER BY 1`);
    return r.getRowObjectsJS().map((row) => ({
      account: text(row.account),
      newestEvent: Number(row.newest),
      lastIngest: Number(row.ingested),
    }));
  }

  const operations = operationFunctions(conn, maintenance);

  async function close(): Promise<void> {
    windows.closeSync();
    maintenance.closeSync();
    conn.closeSync();
    instance.closeSync();
    await Promise.resolve();
  }

  return serialized({
    ...alertFunctions(conn, now),
    ...outboxFunctions(conn),
    ...operations,
    async pruneEventsBefore(before: number, options: { dryRun?: boolean } = {}) {
      const pruned = await changingRows(() => operations.pruneEventsBefore(before, options));
      if (!options.dryRun && (pruned.events || pruned.credentials)) await hitCache.clear();
      return pruned;
    },
    storedObjects,
    appendBatch: (batch: IngestBatch) => changingRows(() => appendBatch(batch)),
    searchEvents,
    locateEvents,
    summarizeEvents,
    histogram,
    timeline,
    credentials,
    credentialChildren,
    findCredentials,
    objectContents,
    quarantine,
    objects,
    stats,
    freshness,
    close,
  });
}

/**
 * Every method runs alone, in call order. One connection serves every caller (the server and the
 * watcher of `serve --watch` share the store, as DuckDB admits one writer per file), and a transaction
 * lives on the connection: a statement of one caller must not land inside another's transaction.
 */
function serialized(store: Store): Store {
  let tail: Promise<unknown> = Promise.resolve();
  const out: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store) as [
    string,
    (...args: unknown[]) => Promise<unknown>,
  ][]) {
    out[name] = (...args: unknown[]): Promise<unknown> => {
      const run = tail.then(() => method(...args));
      tail = run.catch(() => undefined);
      return run;
    };
  }
  return out as unknown as Store;
}
