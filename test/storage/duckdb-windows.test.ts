// Windowed search: newest-first time windows give exactly the single query's page, and stop early.
import { describe, expect, it } from 'vitest';
import type { EventQuery } from '../../src/storage/port.js';
import { searchInWindows } from '../../src/storage/duckdb/search.js';

interface Row {
  time: number;
  id: string;
  account: string;
  isHit: boolean;
}

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T00:00:00Z');

/** Newest first by (time, id, account), as the store orders. */
function newer(a: Row, b: Row): number {
  if (a.time !== b.time) return b.time - a.time;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return a.account < b.account ? 1 : a.account > b.account ? -1 : 0;
}

function isBefore(r: Row, c: NonNullable<EventQuery['before']>): boolean {
  return newer(r, { time: c.time, id: c.eventId, account: c.account ?? '\uffff', isHit: false }) > 0;
}

/** The store's query semantics over an array: hits within since/until, after the cursor, first `limit`. */
function runner(rows: Row[], calls: EventQuery[]) {
  return (q: EventQuery): Promise<Row[]> => {
    calls.push(q);
    const found = rows
      .filter((r) => r.isHit && (q.since === undefined || r.time >= q.since))
      .filter((r) => (q.until === undefined || r.time <= q.until) && (!q.before || isBefore(r, q.before)))
      .sort(newer);
    return Promise.resolve(found.slice(0, q.limit ?? 100));
  };
}

/** A year of events, several in some milliseconds, every `every`-th one a hit. */
function year(every: number): Row[] {
  return Array.from({ length: 3650 }, (_, i) => ({
    time: T0 + Math.floor(i / 3) * (DAY / 10),
    id: `e${(i * 7919) % 3650}`,
    account: i % 2 ? '111122223333' : '444455556666',
    isHit: i % every === 0,
  }));
}

const spanOf = (rows: Row[]) => ({
  count: rows.length,
  first: Math.min(...rows.map((r) => r.time)),
  last: Math.max(...rows.map((r) => r.time)),
});

describe('searchInWindows', () => {
  it('returns the single query page for every query, through several windows', async () => {
    for (const every of [1, 7, 400, 5000]) {
      const rows = year(every);
      const queries: EventQuery[] = [
        { text: 'x', limit: 100 },
        { text: 'x', limit: 3 },
        { text: 'x', limit: 1000 },
        { text: 'x', since: T0 + 100 * DAY, until: T0 + 200 * DAY + 1, limit: 50 },
        { text: 'x', until: T0 + 300 * DAY, limit: 20 },
        { text: 'x', before: { time: T0 + 250 * DAY, eventId: 'e100' }, limit: 30 },
      ];
      for (const q of queries) {
        const calls: EventQuery[] = [];
        const expected = await runner(rows, [])(q);
        expect(await searchInWindows(q, spanOf(rows), runner(rows, calls), 50)).toEqual(expected);
        expect(calls.length).toBeGreaterThan(0);
      }
    }
  });

  it('pages with the cursor exactly as the single query does', async () => {
    const rows = year(3);
    const paged: Row[] = [];
    let before: EventQuery['before'];
    for (;;) {
      const page = await searchInWindows(
        { text: 'x', limit: 17, ...(before ? { before } : {}) },
        spanOf(rows),
        runner(rows, []),
        40,
      );
      paged.push(...page);
      const last = page.at(-1);
      if (page.length < 17 || !last) break;
      before = { time: last.time, eventId: last.id, account: last.account };
    }
    expect(paged).toEqual(await runner(rows, [])({ text: 'x', limit: 10_000 }));
  });

  it('stops at the first window that fills the page, and reads disjoint windows newest first', async () => {
    const rows = year(1);
    const calls: EventQuery[] = [];
    await searchInWindows({ text: 'x', limit: 10 }, spanOf(rows), runner(rows, calls), 50);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ limit: 10 });
    expect(calls[0]?.until).toBeUndefined();

    const sparse = year(5000);
    const all: EventQuery[] = [];
    await searchInWindows({ text: 'x', limit: 10 }, spanOf(sparse), runner(sparse, all), 50);
    expect(all.length).toBeGreaterThan(2);
    expect(all.at(-1)?.since).toBeUndefined();
    for (let i = 1; i < all.length; i++) expect(all[i]?.until).toBe((all[i - 1]?.since ?? NaN) - 1);
  });

  it('runs the query as it is when the store is empty', async () => {
    const calls: EventQuery[] = [];
    const q = { text: 'x', limit: 5 };
    expect(await searchInWindows(q, { count: 0, first: NaN, last: NaN }, runner([], calls))).toEqual([]);
    expect(calls).toEqual([q]);
  });
});
