// The cluster path: two ClickHouse servers as two shards of one cluster; the store writes and reads
// through Distributed tables, and its rows spread over both shards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/storage/clickhouse/client.js';
import { openClickhouseStore } from '../../src/storage/clickhouse/store.js';
import {
  hasClickhouse,
  startClickhouseCluster,
  type ClickhouseServer,
} from '../helpers/clickhouse-server.js';
import { event, objectRecord } from '../helpers/records.js';
import { storeContract } from './store-contract.js';

const runs = hasClickhouse();

describe.skipIf(!runs)('ClickHouse store on a two-shard cluster', () => {
  let shards: ClickhouseServer[] = [];
  beforeAll(async () => {
    shards = await startClickhouseCluster('tw_two', 2);
  });
  afterAll(async () => {
    await Promise.all(shards.map((s) => s.stop()));
  });
  const address = (db: string): string =>
    `clickhouse://${shards.map((s) => `127.0.0.1:${s.httpPort}`).join(',')}/${db}?cluster=tw_two`;
  let n = 0;

  storeContract('clickhouse cluster', async (now) => {
    const url = address(`cluster_${n++}`);
    return { store: await openClickhouseStore(url, now), reopen: () => openClickhouseStore(url, now) };
  });

  it('spreads events over both shards and reads them back whole through either node', async () => {
    const url = address('spread');
    const store = await openClickhouseStore(url);
    const T = Date.parse('2024-05-01T00:00:00Z');
    const events = Array.from({ length: 200 }, (_, i) =>
      event({ eventID: `spread-${i}`, eventTime: new Date(T + i * 60_000).toISOString() }, 'spread', i),
    );
    const result = await store.appendBatch({
      objects: [objectRecord('spread', { records: 200 })],
      events,
      quarantine: [],
      credentials: [],
      matches: [],
    });
    expect(result).toEqual({ stored: 200, duplicates: 0, conflicts: 0 });
    const counts: number[] = [];
    for (const shard of shards) {
      const conn = connect({ url: shard.url, username: 'default', password: '' });
      const [row] = await conn.rows('SELECT count() AS n FROM spread.events_local');
      counts.push(Number(row?.n));
      await conn.close();
    }
    expect(counts.every((c) => c > 40)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    // Through the second node as the one answering queries, the same events come back.
    const second = `clickhouse://${shards
      .map((s) => `127.0.0.1:${s.httpPort}`)
      .reverse()
      .join(',')}/spread?cluster=tw_two`;
    const other = await openClickhouseStore(second);
    const all = await store.searchEvents({ limit: 1000 });
    expect(all.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId).reverse());
    expect(await other.searchEvents({ limit: 1000 })).toEqual(all);
    // A re-delivery through the other node is recognised: dedup works across shards.
    expect(
      await other.appendBatch({
        objects: [objectRecord('again')],
        events,
        quarantine: [],
        credentials: [],
        matches: [],
      }),
    ).toEqual({ stored: 0, duplicates: 200, conflicts: 0 });
    expect((await other.stats()).events).toBe(200);
    await other.close();
    await store.close();
  });
});
