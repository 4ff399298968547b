// Upgrading a store made by an older Trailwatch: pending migrations run once and keep the data usable.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/storage/duckdb/migrations.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DuckDB migrations', () => {
  it('adds the search text (migration 6) and pending keys (7) to a store made by migration 5, once', async () => {
    const file = path.join(dir, 'v5.duckdb');
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    await conn.run(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)',
    );
    for (const m of MIGRATIONS.filter((m) => m.version <= 5)) {
      await conn.run(m.sql);
      await conn.run('INSERT INTO schema_migrations VALUES (?, now())', [m.version]);
    }
    await conn.run(
      `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, user_agent, request_parameters, object_id, record_index)
       VALUES ('old-1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'PutBucketPolicy', 'Boto3/1.34',
               '{"bucketName":"Legacy-Exports"}', 'o1', 0)`,
    );
    // One key with a match still to evaluate, one evaluated.
    await conn.run(
      `INSERT INTO matches VALUES
         ('r', 'key-pending', 'old-1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'g', NULL, NULL, 't', 'low', NULL, NULL, NULL, '{}', false),
         ('r', 'key-done', 'old-2', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'g', NULL, NULL, 't', 'low', NULL, NULL, NULL, '{}', true)`,
    );
    conn.closeSync();
    instance.closeSync();

    const store = await openDuckDbStore(file);
    const ids = async (text: string): Promise<string[]> =>
      (await store.searchEvents({ text })).map((e) => e.eventId);
    expect(await ids('legacy-exports')).toEqual(['old-1']);
    expect(await ids('BOTO3')).toEqual(['old-1']);
    expect(await ids('nowhere')).toEqual([]);
    expect(await store.pendingAlertKeys(10)).toEqual([
      {
        ruleId: 'r',
        alertKey: 'key-pending',
        from: Date.parse('2024-05-01T12:00:00Z'),
        to: Date.parse('2024-05-01T12:00:00Z'),
      },
    ]);
    await store.close();
    // A second open finds nothing left to migrate and keeps the data.
    const again = await openDuckDbStore(file);
    expect((await again.searchEvents({ text: 'putbucketpolicy' })).map((e) => e.eventId)).toEqual(['old-1']);
    await again.close();
  });
});
