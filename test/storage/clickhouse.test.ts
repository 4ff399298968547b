// Runs the Store contract against the ClickHouse store, on a private server (a database per test).
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app.js';
import { MATCH_COLUMNS, matchRow } from '../../src/storage/clickhouse/alerts.js';
import { connect } from '../../src/storage/clickhouse/client.js';
import { MIGRATIONS, tableDdl } from '../../src/storage/clickhouse/migrations.js';
import { openClickhouseStore } from '../../src/storage/clickhouse/store.js';
import { parseClickhouseUrl } from '../../src/storage/clickhouse/url.js';
import { StoreError } from '../../src/storage/port.js';
import { hasClickhouse, startClickhouse, type ClickhouseServer } from '../helpers/clickhouse-server.js';
import { storeContract } from './store-contract.js';

const runs = hasClickhouse();

describe.skipIf(!runs)('ClickHouse store', () => {
  let server: ClickhouseServer;
  beforeAll(async () => {
    server = await startClickhouse();
  });
  afterAll(async () => {
    await server?.stop();
  });
  let n = 0;

  storeContract('clickhouse', async (now) => {
    const url = `clickhouse://127.0.0.1:${server.httpPort}/contract_${n++}`;
    return { store: await openClickhouseStore(url, now), reopen: () => openClickhouseStore(url, now) };
  });

  it('upgrades a database made before matches could be retracted, keeping its matches', async () => {
    const db = 'upgraded';
    const old = {
      ruleId: 'r',
      alertKey: 'k',
      eventId: 'e1',
      recipientAccountId: '111122223333',
      eventTime: Date.parse('2024-05-01T12:00:00Z'),
      groupKey: 'g',
      value: null,
      step: null,
      title: 't',
      severity: 'low' as const,
      region: null,
      sourceIp: null,
      actorArn: null,
      origin: { type: 'Unknown' as const, id: 'x', name: 'x', accountId: null },
    };
    const conn = connect({ url: `http://127.0.0.1:${server.httpPort}`, username: 'default', password: '' });
    try {
      await conn.run(`CREATE DATABASE ${db}`);
      for (const table of MIGRATIONS[0]?.tables ?? [])
        for (const ddl of tableDdl(db, table, null)) await conn.run(ddl);
      await conn.run(`CREATE TABLE ${db}.schema_migrations (version UInt32, applied_ms Int64)
                      ENGINE = ReplacingMergeTree ORDER BY version`);
      await conn.insert(`${db}.schema_migrations`, ['version', 'applied_ms'], [[1, 0]]);
      await conn.insert(`${db}.matches`, MATCH_COLUMNS, [matchRow(old)]);
    } finally {
      await conn.close();
    }
    const url = `clickhouse://127.0.0.1:${server.httpPort}/${db}`;
    const store = await openClickhouseStore(url);
    try {
      const ref = { eventId: 'e1', recipientAccountId: '111122223333' };
      expect(await store.eventMatches([ref])).toEqual([old]);
      await store.replaceMatches([ref], []);
      expect(await store.eventMatches([ref])).toEqual([]);
    } finally {
      await store.close();
    }
    // Opening again finds the column there and changes nothing.
    await (await openClickhouseStore(url)).close();
  });
});

describe('ClickHouse store address', () => {
  it('reads nodes, database, cluster and credentials', () => {
    expect(parseClickhouseUrl('clickhouse://ann:p%40ss@h1:8123,h2:9123/trail_db?cluster=two')).toEqual({
      nodes: ['http://h1:8123', 'http://h2:9123'],
      database: 'trail_db',
      cluster: 'two',
      username: 'ann',
      password: 'p@ss',
    });
    expect(parseClickhouseUrl('clickhouse://127.0.0.1:8123/trailwatch')).toMatchObject({
      username: 'default',
      password: '',
      cluster: null,
    });
  });

  it('refuses an address it cannot use, saying what is expected', () => {
    for (const [bad, why] of [
      ['clickhouse://127.0.0.1:8123', /host:port and a database/],
      ['clickhouse://127.0.0.1/db', /not host:port/],
      ['clickhouse://127.0.0.1:8123/db;drop', /not a plain identifier/],
      ['clickhouse://127.0.0.1:8123/db?cluster=a-b', /cluster name/],
      ['clickhouse://127.0.0.1:8123/db?shards=2', /unknown option/],
    ] as const) {
      expect(() => parseClickhouseUrl(bad)).toThrow(StoreError);
      expect(() => parseClickhouseUrl(bad)).toThrow(why);
    }
  });

  it('says clearly when nothing answers at the address', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a ? a.port : 1));
      });
    });
    const err = await openStore(`clickhouse://127.0.0.1:${port}/db`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/cannot open the ClickHouse store .*is ClickHouse running/);
  });
});
