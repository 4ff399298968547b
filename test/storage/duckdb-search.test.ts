// Searches with a costly filter run over row-id windows on DuckDB: pages equal the plain newest-first order.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CloudTrailEvent } from '../../src/domain/event.js';
import type { EventQuery, EventView } from '../../src/storage/port.js';
import { DERIVED_COLUMNS } from '../../src/storage/duckdb/columns.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2024-01-01T00:00:00Z');
const EVENTS = 80_000;
/** Every 997th event names the bucket searched for; three events share each event time. */
const isHit = (i: number): boolean => i % 997 === 0;

function nth(i: number): CloudTrailEvent {
  return event(
    {
      eventID: `e-${String((i * 7919) % EVENTS).padStart(5, '0')}`,
      eventTime: new Date(T0 + Math.floor(i / 3) * 60_000).toISOString(),
      recipientAccountId: i % 2 ? '111122223333' : '444455556666',
      requestParameters: { bucketName: isHit(i) ? 'Needle-Bucket' : `bucket-${i % 50}` },
    },
    `o${Math.floor(i / 20_000)}`,
    i % 20_000,
  );
}

const key = (e: CloudTrailEvent): string => `${e.eventTime} ${e.eventId} ${e.recipientAccountId}`;

describe('DuckDB windowed search', () => {
  it('pages free text over a large store exactly as newest-first order, cursor after cursor', async () => {
    const store = await openDuckDbStore(path.join(dir, 'large.duckdb'));
    // Stored oldest batch last, as a backfill leaves it: windows must not assume append order.
    for (const start of [60_000, 40_000, 20_000, 0]) {
      const events = Array.from({ length: 20_000 }, (_, j) => nth(start + j));
      const objects = [objectRecord(`o${start / 20_000}`, { records: events.length })];
      await store.appendBatch({ objects, events, quarantine: [], credentials: [], matches: [] });
    }
    const expected = Array.from({ length: EVENTS }, (_, i) => i)
      .filter(isHit)
      .map(nth)
      .sort((a, b) => (key(a) < key(b) ? 1 : -1))
      .map(key);
    const paged: string[] = [];
    let before: EventQuery['before'];
    for (;;) {
      const page = await store.searchEvents({
        text: 'needle-bucket',
        limit: 40,
        ...(before ? { before } : {}),
      });
      paged.push(...page.map(key));
      const last = page.at(-1);
      if (page.length < 40 || !last) break;
      before = { time: last.eventTime, eventId: last.eventId, account: last.recipientAccountId };
    }
    expect(paged).toEqual(expected);
    const since = T0 + 5 * 86_400_000;
    const until = T0 + 9 * 86_400_000;
    const bounded = await store.searchEvents({ text: 'NEEDLE', since, until, limit: 1000 });
    expect(bounded.map(key)).toEqual(
      expected.filter((k) => {
        const t = Number(k.slice(0, k.indexOf(' ')));
        return t >= since && t <= until;
      }),
    );
    await store.close();
  }, 60_000);
});

describe('a DuckDB store opened without search columns (a temporary hunt store)', () => {
  it('stores and reads events as a searchable one does, and refuses the searches it cannot answer', async () => {
    const events = Array.from({ length: 30 }, (_, i) => nth(i));
    const open = async (name: string, searchable: boolean) => {
      const store = await openDuckDbStore(path.join(dir, name), Date.now, { bulk: true, searchable });
      await store.appendBatch({
        objects: [objectRecord('o0', { records: events.length })],
        events,
        quarantine: [],
        credentials: [],
        matches: [],
      });
      return store;
    };
    const plain = await open('plain.duckdb', true);
    const bare = await open('bare.duckdb', false);
    const ids = { eventIds: events.map((e) => e.eventId), limit: 100 };
    const stored = await bare.searchEvents(ids);
    expect(stored).toHaveLength(30);
    expect(stored).toEqual(await plain.searchEvents(ids));
    expect(await bare.locateEvents({ accessKeyIds: [events[0]?.actor.accessKeyId ?? ''] })).toEqual(
      await plain.locateEvents({ accessKeyIds: [events[0]?.actor.accessKeyId ?? ''] }),
    );
    expect((await bare.summarizeEvents({ accounts: ['111122223333'] }, ['eventName'])).count).toBe(15);
    for (const [q, view] of [
      [{ text: 'needle' }, 'full'],
      [{ userNames: ['alice'] }, 'full'],
      [{ origins: ['alice'] }, 'full'],
      [{}, 'list'],
    ] as [EventQuery, EventView][]) {
      await expect(bare.searchEvents(q, view)).rejects.toThrow(/keeps no search columns/);
      if (view === 'full') {
        await expect(bare.summarizeEvents(q, ['eventName'])).rejects.toThrow(/keeps no search columns/);
        await expect(bare.timeline(q, 10)).rejects.toThrow(/keeps no search columns/);
      }
    }
    expect((await plain.searchEvents({ text: 'needle' }, 'full')).map((e) => e.eventId)).toEqual([
      events[0]?.eventId,
    ]);
    await plain.close();
    await bare.close();
    // what makes it cheaper: the derived columns are left empty
    for (const [name, n] of [
      ['plain.duckdb', 30],
      ['bare.duckdb', 0],
    ] as const) {
      const instance = await DuckDBInstance.create(path.join(dir, name));
      const conn = await instance.connect();
      const counts = DERIVED_COLUMNS.map(([c]) => `count(${c})`).join(' + ');
      const r = await conn.runAndReadAll(`SELECT ${counts} AS n FROM events`);
      expect(Number(r.getRowsJS()[0]?.[0])).toBe(n * DERIVED_COLUMNS.length);
      conn.closeSync();
      instance.closeSync();
    }
  });
});
