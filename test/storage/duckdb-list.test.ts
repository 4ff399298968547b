// Lists of events in DuckDB: the response elements of credential calls are read after the page.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { LIST_SELECT } from '../../src/storage/duckdb/columns.js';
import { readListed } from '../../src/storage/duckdb/list.js';
import { MIGRATIONS } from '../../src/storage/duckdb/migrations.js';

describe('readListed', () => {
  it("finds a credential call's response by its key when its row id no longer points at it", async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    for (const m of MIGRATIONS) await conn.run(m.sql);
    await conn.run(`
      INSERT INTO events (event_id, recipient_account_id, event_time, event_source, event_name,
                          response_elements, object_id, record_index, list_actor)
      VALUES ('a1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'sts.amazonaws.com', 'AssumeRole',
              '{"credentials":{"accessKeyId":"ASIA1"}}', 'o1', 0, '["IAMUser"]'),
             ('g1', '111122223333', TIMESTAMP '2024-05-01 12:01:00', 's3.amazonaws.com', 'GetObject',
              '{"x":1}', 'o1', 1, '["IAMUser"]')`);
    const rows = (
      await conn.runAndReadAll(`SELECT ${LIST_SELECT} FROM events ORDER BY event_time`)
    ).getRowObjects();
    const response = { credentials: { accessKeyId: 'ASIA1' } };
    const [call, other] = await readListed(conn, rows);
    expect(call?.responseElements).toEqual(response);
    // Other calls' responses are not read at all.
    expect(other?.responseElements).toBeNull();
    expect(call?.actor.type).toBe('IAMUser');
    // A prune between the page and this read may have moved the row: its key still finds it.
    const moved = rows.map((r) => ({ ...r, row_id: BigInt(Number(r.row_id) + 1) }));
    expect((await readListed(conn, moved))[0]?.responseElements).toEqual(response);
    conn.closeSync();
    instance.closeSync();
  });
});
