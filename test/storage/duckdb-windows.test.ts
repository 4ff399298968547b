// Windowed search: newest-first row-id windows give exactly the single query's page, and stop early.
import { describe, expect, it } from 'vitest';
import type { EventQuery } from '../../src/storage/port.js';
import { newestFirst, searchInWindows, type PageKey } from '../../src/storage/duckdb/search.js';

interface Row extends PageKey {
  isHit: boolean;
}

interface Call {
  from: number;
  to: number;
}

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T00:00:00Z');

function isBefore(r: Row, c: NonNullable<EventQuery['before']>): boolean {
  const cursor = { eventTime: c.time, eventId: c.eventId, recipientAccountId: c.account ?? '\uffff' };
  return newestFirst(r, cursor) > 0;
}

function matches(r: Row, q: EventQuery): boolean {
  return (
    r.isHit &&
    (q.since === undefined || r.eventTime >= q.since) &&
    (q.until === undefined || r.eventTime <= q.until) &&
    (!q.before || isBefore(r, q.before))
  );
}

/** The store's query over an array whose indexes are the row ids: hits in [from, to), first `limit`. */
function runner(rows: Row[], calls: Call[]) {
  return (q: EventQuery, from: number, to: number): Promise<Row[]> => {
    calls.push({ from, to });
    const found = rows.slice(from, to).filter((r) => matches(r, q));
    return Promise.resolve(found.sort(newestFirst).slice(0, q.limit ?? 100));
  };
}

/** The newest event time among the rows below `from` (null when there are none). */
const newestBelow = (rows: Row[]) => (from: number) =>
  Promise.resolve(from > 0 ? Math.max(...rows.slice(0, from).map((r) => r.eventTime)) : null);

/** The single query's page: all rows, newest first. */
const single = (rows: Row[], q: EventQuery): Row[] =>
  rows
    .filter((r) => matches(r, q))
    .sort(newestFirst)
    .slice(0, q.limit ?? 100);

/** A year of events stored in time order, several in some milliseconds, every `every`-th one a hit. */
function year(every: number): Row[] {
  return Array.from({ length: 3650 }, (_, i) => ({
    eventTime: T0 + Math.floor(i / 3) * (DAY / 10),
    eventId: `e${(i * 7919) % 3650}`,
    recipientAccountId: i % 2 ? '111122223333' : '444455556666',
    isHit: i % every === 0,
  }));
}

/** The same year stored as late delivery leaves it: every 50th event (a hit or not) appended last. */
function lateYear(every: number): Row[] {
  const rows = year(every);
  return [...rows.filter((_, i) => i % 50 !== 7), ...rows.filter((_, i) => i % 50 === 7)];
}

function search(rows: Row[], q: EventQuery, calls: Call[] = [], first = 50): Promise<Row[]> {
  return searchInWindows(q, rows.length, runner(rows, calls), newestBelow(rows), first);
}

describe('searchInWindows', () => {
  it('returns the single query page for every query, through several windows', async () => {
    for (const every of [1, 7, 400, 5000])
      for (const rows of [year(every), lateYear(every), [...year(every)].reverse()]) {
        const queries: EventQuery[] = [
          { text: 'x', limit: 100 },
          { text: 'x', limit: 3 },
          { text: 'x', limit: 1000 },
          { text: 'x', since: T0 + 100 * DAY, until: T0 + 200 * DAY + 1, limit: 50 },
          { text: 'x', until: T0 + 300 * DAY, limit: 20 },
          { text: 'x', before: { time: T0 + 250 * DAY, eventId: 'e100' }, limit: 30 },
        ];
        for (const q of queries) {
          const calls: Call[] = [];
          expect(await search(rows, q, calls)).toEqual(single(rows, q));
          expect(calls.length).toBeGreaterThan(0);
        }
      }
  });

  it('finds the newest event when it was stored first', async () => {
    const rows = year(1);
    const newest = { ...(rows.at(-1) as Row), eventTime: T0 + 400 * DAY, eventId: 'late' };
    const stored = [newest, ...rows];
    const calls: Call[] = [];
    const page = await search(stored, { text: 'x', limit: 10 }, calls);
    expect(page[0]).toEqual(newest);
    expect(calls.at(-1)?.from).toBe(0);
  });

  it('reads on when an older window holds an event of the same millisecond as the page end', async () => {
    const hit = (eventTime: number, eventId: string): Row => ({
      eventTime,
      eventId,
      recipientAccountId: '111122223333',
      isHit: true,
    });
    const filler = Array.from({ length: 99 }, (_, i) => ({ ...hit(T0 - i, `f${i}`), isHit: false }));
    // Same time as e-a, and first in the page's order (ids descend): only the last window holds it.
    const rows = [hit(T0, 'e-z'), ...filler, hit(T0 + 1000, 'e-new'), hit(T0, 'e-a')];
    const page = await search(rows, { text: 'x', limit: 2 });
    expect(page.map((r) => r.eventId)).toEqual(['e-new', 'e-z']);
  });

  it('pages with the cursor exactly as the single query does', async () => {
    for (const rows of [year(3), lateYear(3)]) {
      const paged: Row[] = [];
      let before: EventQuery['before'];
      for (;;) {
        const page = await search(rows, { text: 'x', limit: 17, ...(before ? { before } : {}) }, [], 40);
        paged.push(...page);
        const last = page.at(-1);
        if (page.length < 17 || !last) break;
        before = { time: last.eventTime, eventId: last.eventId, account: last.recipientAccountId };
      }
      expect(paged).toEqual(single(rows, { text: 'x', limit: 10_000 }));
    }
  });

  it('stops at the first window that fills the page, and reads disjoint windows newest first', async () => {
    const rows = year(1);
    const calls: Call[] = [];
    await search(rows, { text: 'x', limit: 10 }, calls);
    expect(calls).toEqual([{ from: rows.length - 50, to: rows.length }]);

    const sparse = year(5000);
    const all: Call[] = [];
    await search(sparse, { text: 'x', limit: 10 }, all);
    expect(all.length).toBeGreaterThan(2);
    expect(all[0]?.to).toBe(sparse.length);
    expect(all.at(-1)?.from).toBe(0);
    for (let i = 1; i < all.length; i++) {
      expect(all[i]?.to).toBe(all[i - 1]?.from);
      expect((all[i]?.to ?? 0) - (all[i]?.from ?? 0)).toBeGreaterThan(
        (all[i - 1]?.to ?? 0) - (all[i - 1]?.from ?? 0),
      );
    }
  });

  it('reads nothing when the store is empty', async () => {
    const calls: Call[] = [];
    expect(await searchInWindows({ text: 'x', limit: 5 }, 0, runner([], calls), newestBelow([]))).toEqual([]);
    expect(calls).toEqual([]);
  });
});
