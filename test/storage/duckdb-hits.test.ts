// The explorer's remembered matches (storage/duckdb/hits.ts): always the answer a fresh read gives.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CloudTrailEvent } from '../../src/domain/event.js';
import { openHitCache } from '../../src/storage/duckdb/hits.js';
import { isSamePage, TWO_STEP_PAGE } from '../../src/storage/duckdb/search.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-hits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse('2024-02-01T00:00:00Z');

/** Day `d`'s events: every fifth names the searched bucket, at an offset that differs by day. */
function day(d: number, n = 50): CloudTrailEvent[] {
  return Array.from({ length: n }, (_, i) =>
    event(
      {
        eventID: `d${d}-${i}`,
        eventTime: new Date(T0 + d * DAY + i * 100).toISOString(),
        requestParameters: { bucketName: (i + d) % 5 ? `other-${i}` : 'needle-bucket' },
      },
      `day${d}`,
      i,
    ),
  );
}

async function append(store: Store, d: number, n = 50): Promise<void> {
  const all = day(d, n);
  for (let at = 0; at < all.length; at += 25_000) {
    const events = all.slice(at, at + 25_000);
    await store.appendBatch({
      objects: [objectRecord(`day${d}-${at}`, { records: events.length })],
      events,
      quarantine: [],
      credentials: [],
      matches: [],
    });
  }
}

const ids = async (store: Store): Promise<string[]> =>
  (await store.searchEvents({ text: 'needle-bucket', limit: 1000 })).map((e) => e.eventId).sort();
const expected = (...days: (number | [number, number])[]): string[] =>
  days
    .flatMap((d) => (typeof d === 'number' ? day(d) : day(...d)))
    .filter((e) => JSON.stringify(e.requestParameters).includes('needle'))
    .map((e) => e.eventId)
    .sort();

describe('remembered matches of the explorer', () => {
  it('finds rows appended after the filter was first asked, and none pruned', async () => {
    const store = await openDuckDbStore(path.join(dir, 'grow.duckdb'));
    await append(store, 0);
    await append(store, 1);
    expect(await ids(store)).toEqual(expected(0, 1));
    await append(store, 2);
    expect(await ids(store)).toEqual(expected(0, 1, 2));
    const facets = await store.summarizeEvents({ text: 'needle-bucket' }, ['eventName']);
    expect(facets.count).toBe(30);
    expect((await store.timeline({ text: 'needle-bucket' }, 3)).buckets.map((b) => b.count)).toEqual([
      10, 10, 10,
    ]);
    await store.close();
  });

  it(
    'pages a spread term from the rows it reached, and counts every match after',
    { timeout: 120_000 },
    async () => {
      const store = await openDuckDbStore(path.join(dir, 'spread.duckdb'));
      // 180,000 rows, one hit in 500: the newest 32,768 rows (the first window) do not fill a page of
      // 100, and the next window (4 times wider) stops above the first row, so the page is made from
      // the matches of the rows read so far and the counts read the rows below.
      const ROWS = 180_000;
      const nthEvent = (i: number): CloudTrailEvent =>
        event(
          {
            eventID: `s-${i}`,
            eventTime: new Date(T0 + i * 1000).toISOString(),
            requestParameters: { bucketName: i % 500 === 7 ? 'spread-term' : `b${i % 40}` },
          },
          `spread${Math.floor(i / 30_000)}`,
          i % 30_000,
        );
      for (let at = 0; at < ROWS; at += 30_000) {
        const events = Array.from({ length: 30_000 }, (_, j) => nthEvent(at + j));
        await store.appendBatch({
          objects: [objectRecord(`spread${at / 30_000}`, { records: events.length })],
          events,
          quarantine: [],
          credentials: [],
          matches: [],
        });
      }
      const hits = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 500 === 7);
      const page = await store.searchEvents({ text: 'SPREAD-term', limit: 100 }, 'list');
      expect(page.map((e) => e.eventId)).toEqual(
        hits
          .slice(-100)
          .reverse()
          .map((i) => `s-${i}`),
      );
      expect((await store.summarizeEvents({ text: 'SPREAD-term' }, [])).count).toBe(hits.length);
      const buckets = (await store.timeline({ text: 'SPREAD-term' }, 4)).buckets;
      expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(hits.length);
      // the next page continues from the remembered matches, now of every row
      const last = page.at(-1) as CloudTrailEvent;
      const before = { time: last.eventTime, eventId: last.eventId, account: last.recipientAccountId };
      const next = await store.searchEvents({ text: 'spread-TERM', limit: 100, before });
      expect(next.map((e) => e.eventId)).toEqual(
        hits
          .slice(-200, -100)
          .reverse()
          .map((i) => `s-${i}`),
      );
      await store.close();
    },
  );

  it('forgets what it kept when a prune shifts row ids', { timeout: 120_000 }, async () => {
    const store = await openDuckDbStore(path.join(dir, 'prune.duckdb'));
    // More than a row group (122,880 rows): the checkpoint after the prune reclaims it whole, and
    // the rows after it take lower row ids.
    await append(store, 0, 125_000);
    await append(store, 1);
    expect((await store.summarizeEvents({ text: 'needle-bucket' }, [])).count).toBe(25_010);
    expect(await ids(store)).toHaveLength(1000);
    await store.pruneEventsBefore(T0 + DAY);
    await append(store, 2);
    expect(await ids(store)).toEqual(expected(1, 2));
    expect((await store.summarizeEvents({ text: 'needle-bucket' }, [])).count).toBe(20);
    await store.close();
  });

  it('reads a page of remembered matches in two steps, the same rows and columns as one query', async () => {
    const store = await openDuckDbStore(path.join(dir, 'two-step.duckdb'));
    for (let d = 0; d < 4; d++) await append(store, d);
    const q = { text: 'needle-bucket' };
    // The counts remember the matches; the pages after them are read from what they keep.
    expect((await store.summarizeEvents(q, [])).count).toBe(40);
    const oneQuery = { ...q, limit: TWO_STEP_PAGE + 1 };
    for (const view of ['full', 'list'] as const) {
      const whole = await store.searchEvents(oneQuery, view);
      expect(whole).toHaveLength(40);
      for (const limit of [1, 7, 40])
        expect(await store.searchEvents({ ...q, limit }, view)).toEqual(whole.slice(0, limit));
      // every column, as a read by id (no costly filter) gives it
      const byId = await store.searchEvents(
        { eventIds: whole.slice(0, 7).map((e) => e.eventId), limit: 7 },
        view,
      );
      expect(await store.searchEvents({ ...q, limit: 7 }, view)).toEqual(byId);
      // with another filter on top, and on a page after a cursor
      const every3rd = whole.filter((_, i) => i % 3 === 0);
      const picked = await store.searchEvents(
        { ...q, eventIds: every3rd.map((e) => e.eventId), limit: 5 },
        view,
      );
      expect(picked).toEqual(every3rd.slice(0, 5));
      const last = whole[9] as CloudTrailEvent;
      const before = { time: last.eventTime, eventId: last.eventId, account: last.recipientAccountId };
      expect(await store.searchEvents({ ...q, before, limit: 10 }, view)).toEqual(whole.slice(10, 20));
    }
    await store.close();
  });

  it('tells a second step that read other rows than the first named', () => {
    const row = (id: string, account = '111111111111') => ({ event_id: id, recipient_account_id: account });
    const keys = [row('a'), row('b')];
    expect(isSamePage(keys, [row('a'), row('b')])).toBe(true);
    expect(isSamePage(keys, [row('b'), row('a')])).toBe(false);
    expect(isSamePage(keys, [row('a')])).toBe(false);
    expect(isSamePage(keys, [row('a'), row('b', '222222222222')])).toBe(false);
    expect(isSamePage(keys, [row('a'), row('b'), row('c')])).toBe(false);
  });

  it('answers more filters than it keeps, each as a fresh read would', async () => {
    const store = await openDuckDbStore(path.join(dir, 'many.duckdb'));
    await append(store, 0);
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 12; i++) {
        const found = await store.searchEvents({ text: `other-${i}`, limit: 100 });
        // other-1 is also in other-10 and other-11
        const want = day(0).filter((e) => JSON.stringify(e.requestParameters).includes(`other-${i}`));
        expect(found.map((e) => e.eventId).sort()).toEqual(want.map((e) => e.eventId).sort());
      }
    await store.close();
  });

  it('reads down to a row when asked, then only the rows below and the rows appended', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run('CREATE TABLE events (search_context VARCHAR, search_ids VARCHAR, search_rest VARCHAR)');
    await conn.run(`INSERT INTO events SELECT 'x', NULL, CASE WHEN i % 3 = 0 THEN 'hit ' ELSE 'miss ' END || i
                    FROM range(60) t(i)`);
    const cache = await openHitCache(conn);
    const rids = async (table: string): Promise<number[]> =>
      (await conn.runAndReadAll(`SELECT rid FROM ${table} ORDER BY rid`))
        .getRowsJS()
        .map((r) => Number(r[0]));
    const hitsIn = (from: number, to: number): number[] =>
      Array.from({ length: to - from }, (_, i) => from + i).filter((i) => i % 3 === 0);
    const table = (await cache.coverFrom({ text: 'hit' }, 45)) as string;
    expect(await rids(table)).toEqual(hitsIn(45, 60));
    // further down: only the rows between are read (each row once, so no id twice)
    expect(await cache.coverFrom({ text: 'hit' }, 20)).toBe(table);
    expect(await rids(table)).toEqual(hitsIn(20, 60));
    // asking for less than is kept reads nothing
    expect(await cache.coverFrom({ text: 'hit' }, 30)).toBe(table);
    expect(await rids(table)).toEqual(hitsIn(20, 60));
    // rows appended, then every row: the appended ones and those below 20
    await conn.run(`INSERT INTO events SELECT 'x', NULL, 'hit ' || i FROM range(60, 63) t(i)`);
    expect(await cache.cover({ text: 'hit' })).toBe(table);
    expect(await rids(table)).toEqual([...hitsIn(0, 60), 60, 61, 62]);
    expect(await cache.known({ text: 'hit' })).toBe(table);
    expect(await rids(table)).toEqual([...hitsIn(0, 60), 60, 61, 62]);
    conn.closeSync();
    instance.closeSync();
  });

  it('keeps no filter that matches more rows than its limit, and drops the least recent', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run('CREATE TABLE events (search_context VARCHAR, search_ids VARCHAR, search_rest VARCHAR)');
    await conn.run(`INSERT INTO events SELECT 'x', NULL, 'row ' || i || CASE WHEN i % 10 = 0 THEN ' rare' ELSE '' END
                    FROM range(100) t(i)`);
    const cache = await openHitCache(conn, { maxRows: 20, maxFilters: 2 });
    expect(await cache.cover({ text: 'row' })).toBeNull();
    const rare = await cache.cover({ text: 'RARE' });
    expect(rare).not.toBeNull();
    const count = async (table: string): Promise<number> =>
      Number((await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRowsJS()[0]?.[0]);
    expect(await count(rare as string)).toBe(10);
    await conn.run(`INSERT INTO events VALUES ('x', NULL, 'one more rare')`);
    // the key is the text as asked: 'rare' is a second filter, read afresh
    const lower = await cache.cover({ text: 'rare' });
    expect(lower).not.toBe(rare);
    expect(await count(lower as string)).toBe(11);
    expect(await cache.cover({ text: 'RARE' })).toBe(rare);
    expect(await count(rare as string)).toBe(11);
    // a third filter: 'rare', asked least recently, is dropped with its table
    expect(await cache.cover({ text: 'row 5' })).not.toBeNull();
    await expect(count(lower as string)).rejects.toThrow(/does not exist/);
    expect(await count(rare as string)).toBe(11);
    expect(await cache.cover({ eventNames: ['X'] })).toBeNull();
    const part = (await cache.cover({ text: 'row 1' })) as string;
    const rids = async (): Promise<number[]> =>
      (await conn.runAndReadAll(`SELECT rid FROM ${part} ORDER BY rid`)).getRowsJS().map((r) => Number(r[0]));
    expect(await rids()).toEqual([1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    conn.closeSync();
    instance.closeSync();
  });
});
