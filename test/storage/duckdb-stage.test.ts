// Staging tables: each batch replaces the last one's rows, and DuckDB frees them (no growth per batch).
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { byRow, stage } from '../../src/storage/duckdb/stage.js';

const BATCH = 20_000;

describe('stage', () => {
  it('holds only the last batch, and the memory of earlier batches is freed', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    await conn.run('CREATE TEMP TABLE rows_stage (id INTEGER, text VARCHAR)');
    const inMemoryTables = async (): Promise<number> => {
      const r = await conn.runAndReadAll(
        `SELECT sum(memory_usage_bytes + temporary_storage_bytes) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'`,
      );
      return Number(r.getRowsJS()[0]?.[0] ?? 0);
    };
    const batch = (n: number) =>
      Array.from({ length: BATCH }, (_, i) => ({ id: n * BATCH + i, text: `${'x'.repeat(400)}${n}-${i}` }));
    const append = byRow<{ id: number; text: string }>((a, row) => {
      a.appendInteger(row.id);
      a.appendVarchar(row.text);
    });

    await stage(conn, 'rows_stage', batch(0), append);
    const afterOne = await inMemoryTables();
    for (let n = 1; n <= 20; n++) await stage(conn, 'rows_stage', batch(n), append);
    const r = await conn.runAndReadAll('SELECT count(*), min(id) FROM temp.rows_stage');
    expect(r.getRowsJS()[0]?.map(Number)).toEqual([BATCH, 20 * BATCH]);
    // Deleting the rows instead kept all 21 batches (~180 MB here) allocated.
    expect(afterOne).toBeGreaterThan(0);
    expect(await inMemoryTables()).toBeLessThan(afterOne * 2);

    await stage(conn, 'rows_stage', [], append);
    const empty = await conn.runAndReadAll('SELECT count(*) FROM temp.rows_stage');
    expect(Number(empty.getRowsJS()[0]?.[0])).toBe(0);
    conn.closeSync();
    instance.closeSync();
  });
});
