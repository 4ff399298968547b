// The rows a costly filter matched, remembered for the explorer's next queries on the same filter.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EventQuery } from '../port.js';
import { costlyRowIds, hasCostlyFilter } from './search.js';
import type { TextBlocks } from './text-index.js';

/**
 * Free text reads ~350 bytes of stored text per event and the origin filter probes the ledger for
 * each: the explorer asks for a page, the facets and the time chart of one filter, and each used to
 * evaluate it over the whole store. The counts now keep the matching row ids in an in-memory table
 * (every connection of the store sees it), and later queries with the same filter (the time chart,
 * the next page, a facet clicked) join it and read only the rows appended since. A search keeps
 * the matches of the rows its windows read only when its newest rows do not fill its page
 * (otherwise it stops reading once it is full); the counts asked next read the rest.
 */
export interface HitCache {
  /**
   * The table of the row ids the query's free text and origins match, reading the rows not read
   * before (all of them the first time, the appended ones after); null when the query has neither
   * or they match too many rows to keep.
   */
  cover(q: EventQuery): Promise<string | null>;
  /**
   * As cover(q), but reading only down to row id `from`: the table then holds every match in
   * [from, the last row]. A search that pages newest first asks for what its windows reached; the
   * counts asked after it read only the rows below.
   */
  coverFrom(q: EventQuery, from: number): Promise<string | null>;
  /** As cover(q), for a filter already kept; null for any other. */
  known(q: EventQuery): Promise<string | null>;
  /** The ledger changed: origin matches may have too. */
  ledgerChanged(): Promise<void>;
  /** Rows were deleted: row ids shift when DuckDB reclaims them, so nothing kept holds. */
  clear(): Promise<void>;
}

/** Filters kept at once, least recently used dropped first. */
const MAX_FILTERS = 8;
/** A filter matching more rows than this is not kept (8 bytes a row); its queries read the store. */
export const MAX_HIT_ROWS = 1_000_000;

const keyOf = (q: EventQuery): string => JSON.stringify([q.text ?? null, q.origins ?? null]);

interface Entry {
  table: string;
  /** The row ids in [from, upTo) have been matched. */
  from: number;
  upTo: number;
  byOrigin: boolean;
}

/** One past the highest row id of `events`: the rows a search or a cover reads are below it. */
export async function readRowCount(conn: DuckDBConnection): Promise<number> {
  const r = await conn.runAndReadAll('SELECT coalesce(max(rowid) + 1, 0) AS n FROM events');
  return Number(r.getRowObjectsJS()[0]?.n ?? 0);
}

/** The blocks of the free-text index that may hold a text (text-index.ts); null reads them all. */
export type TextBlocksOf = (text: string) => Promise<TextBlocks | null>;

export async function openHitCache(
  conn: DuckDBConnection,
  limits = { maxRows: MAX_HIT_ROWS, maxFilters: MAX_FILTERS },
  textBlocksOf: TextBlocksOf = () => Promise.resolve(null),
  rowCount: () => Promise<number> = () => readRowCount(conn),
): Promise<HitCache> {
  await conn.run(`ATTACH IF NOT EXISTS ':memory:' AS explorer_hits`);
  const entries = new Map<string, Entry>();
  /** Filters found to match too many rows (by key: whether they filter by origin). */
  const tooMany = new Map<string, boolean>();
  let serial = 0;

  async function forget(key: string): Promise<void> {
    const e = entries.get(key);
    entries.delete(key);
    if (e) await conn.run(`DROP TABLE IF EXISTS ${e.table}`);
  }

  async function coverFrom(q: EventQuery, from: number): Promise<string | null> {
    if (!hasCostlyFilter(q)) return null;
    const key = keyOf(q);
    if (tooMany.has(key)) return null;
    const rows = await rowCount();
    let e = entries.get(key);
    if (e) entries.delete(key);
    else {
      for (const old of [...entries.keys()].slice(0, Math.max(0, entries.size - limits.maxFilters + 1)))
        await forget(old);
      e = {
        table: `explorer_hits.main.hits_${++serial}`,
        from: rows,
        upTo: rows,
        byOrigin: Boolean(q.origins?.length),
      };
      await conn.run(`CREATE TABLE ${e.table} (rid BIGINT)`);
    }
    entries.set(key, e);
    // The rows appended since the last read, and those below it down to `from`.
    const down = Math.max(0, Math.floor(from));
    const unread = (
      [
        [e.upTo, rows],
        [down, e.from],
      ] as const
    ).filter(([a, b]) => a < b);
    if (!unread.length) return e.table;
    const blocks = q.text ? await textBlocksOf(q.text) : null;
    for (const [a, b] of unread) {
      const ids = costlyRowIds(q, a, b, blocks ?? undefined);
      if (ids) await conn.run(`INSERT INTO ${e.table} ${ids.sql}`, ids.params);
    }
    e.from = Math.min(e.from, down);
    e.upTo = rows;
    const n = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${e.table}`);
    if (Number(n.getRowObjectsJS()[0]?.n ?? 0) > limits.maxRows) {
      await forget(key);
      if (tooMany.size >= 1000) tooMany.clear();
      tooMany.set(key, e.byOrigin);
      return null;
    }
    return e.table;
  }

  const cover = (q: EventQuery): Promise<string | null> => coverFrom(q, 0);

  async function known(q: EventQuery): Promise<string | null> {
    return entries.has(keyOf(q)) ? cover(q) : null;
  }

  async function ledgerChanged(): Promise<void> {
    for (const [key, e] of [...entries]) if (e.byOrigin) await forget(key);
    for (const [key, byOrigin] of [...tooMany]) if (byOrigin) tooMany.delete(key);
  }

  async function clear(): Promise<void> {
    for (const key of [...entries.keys()]) await forget(key);
    tooMany.clear();
  }

  return { cover, coverFrom, known, ledgerChanged, clear };
}
