// The DuckDB settings a store opens with: bulk writers keep a smaller buffer than queries.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app.js';
import { duckDbConfig, MEMORY_LIMITS } from '../../src/storage/duckdb/store.js';

const root = mkdtempSync(path.join(tmpdir(), 'trailwatch-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What DuckDB reports for a setting under a configuration, as it prints it (e.g. `244.1 MiB`). */
async function setting(config: Record<string, string>, name: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:', config);
  const conn = await instance.connect();
  const r = await conn.runAndReadAll(`SELECT current_setting('${name}')`);
  conn.closeSync();
  instance.closeSync();
  return r.getRowsJS()[0]?.[0] as string;
}

const mib = (text: string): number => {
  const m = /^([\d.]+) (KiB|MiB|GiB)$/.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  return Number(m[1]) * { KiB: 1 / 1024, MiB: 1, GiB: 1024 }[m[2] as 'KiB' | 'MiB' | 'GiB'];
};

describe('DuckDB settings', () => {
  it('gives bulk writers a smaller buffer than queries, and DuckDB takes both', async () => {
    expect(duckDbConfig().memory_limit).toBe(MEMORY_LIMITS.query);
    expect(duckDbConfig({ bulk: true }).memory_limit).toBe(MEMORY_LIMITS.bulk);
    const query = mib(await setting(duckDbConfig(), 'memory_limit'));
    const bulk = mib(await setting(duckDbConfig({ bulk: true }), 'memory_limit'));
    expect(bulk).toBeLessThan(query);
    // DuckDB counts in MiB what the settings name in MB.
    expect(bulk).toBeCloseTo((256 * 1e6) / 2 ** 20, 0);
    expect(mib(await setting(duckDbConfig({ bulk: true }), 'checkpoint_threshold'))).toBeGreaterThan(16);
  });

  it('opens a store file for bulk writing', async () => {
    const store = await openStore(path.join(root, 'bulk.duckdb'), Date.now, { bulk: true });
    expect((await store.stats()).events).toBe(0);
    await store.close();
  });
});
