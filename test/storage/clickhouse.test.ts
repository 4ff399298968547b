// Runs the Store contract against the ClickHouse store, on a private server (a database per test).
import { afterAll, beforeAll, describe } from 'vitest';
import { openClickhouseStore } from '../../src/storage/clickhouse/store.js';
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
});
