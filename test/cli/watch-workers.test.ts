// watch --workers N on a ClickHouse store: N child processes share a folder of trail files, store
// every event once between them, and stop when the parent is told to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { runWatch } from '../../src/cli/watch.js';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { writeDemoTrail } from '../../src/demo/write.js';
import { openClickhouseStore } from '../../src/storage/clickhouse/store.js';
import { hasClickhouse, startClickhouse, type ClickhouseServer } from '../helpers/clickhouse-server.js';

const runs = hasClickhouse();
// Made only when the tests run: a skipped file runs no hooks, and would leave it behind.
const dir = runs ? mkdtempSync(path.join(tmpdir(), 'tw-watch-workers-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!runs)('watch --workers', () => {
  let server: ClickhouseServer;
  const data = path.join(dir, 'trail');
  let records = 0;
  beforeAll(async () => {
    server = await startClickhouse();
    records = (await writeDemoTrail(generateDemoTrail({ end: Date.parse('2024-06-12T15:20:00Z') }), data))
      .records;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('shares the sources among child processes and stops them all', async () => {
    const db = `clickhouse://127.0.0.1:${server.httpPort}/watching`;
    let log = '';
    const io: Io = {
      out: (t) => void (log += t),
      err: (t) => void (log += t),
      stdin: Readable.from([]),
      env: process.env,
      isTty: false,
      now: () => Date.now(),
      cwd: dir,
    };
    const abort = new AbortController();
    // The children poll with the real clock: the look-back reaches the demo's 2024 delivery days.
    const running = runWatch(
      [data, '--db', db, '--workers', '3', '--interval', '1s', '--lookback', '3000d'],
      io,
      abort.signal,
    );
    const store = await openClickhouseStore(db);
    const deadline = Date.now() + 90_000;
    let events = 0;
    while (Date.now() < deadline && events < records - 1) {
      await new Promise((r) => setTimeout(r, 500));
      events = (await store.stats()).events;
    }
    abort.abort();
    expect(await running).toBe(0);
    // The demo trail holds one re-delivered record: every other one is stored exactly once.
    expect((await store.stats()).events).toBe(records - 1);
    for (const w of ['1/3', '2/3', '3/3'])
      expect(log).toContain(`[worker ${w}] stopped; everything read so far is stored`);
    await store.close();
  });
});
