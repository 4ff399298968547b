// Runs the Store contract against the embedded DuckDB store, on a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('duckdb', async (now) => {
  const file = path.join(dir, `store-${n++}.duckdb`);
  return { store: await openDuckDbStore(file, now), reopen: () => openDuckDbStore(file, now) };
});
