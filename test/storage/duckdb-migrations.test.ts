// Upgrading a store made by an older Trailwatch: pending migrations run once and keep the data usable.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ACTOR_COLUMNS } from '../../src/storage/columns.js';
import { MIGRATIONS } from '../../src/storage/duckdb/migrations.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store file at schema `version`, as an older Trailwatch left it. */
async function storeAt(file: string, version: number, rows: string[] = []): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  await conn.run(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    await conn.run(m.sql);
    await conn.run('INSERT INTO schema_migrations VALUES (?, now())', [m.version]);
  }
  for (const row of rows) await conn.run(row);
  conn.closeSync();
  instance.closeSync();
}

/** The columns of `events`, to compare a migrated store with a new one. */
const EVENT_COLUMNS_SQL = `SELECT column_name, data_type, is_nullable FROM duckdb_columns()
                           WHERE table_name = 'events' ORDER BY column_index`;

/** Runs one query on a closed store file. */
async function query(file: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  const rows = (await conn.runAndReadAll(sql)).getRowsJS();
  conn.closeSync();
  instance.closeSync();
  return rows;
}

describe('DuckDB migrations', () => {
  it('rewrites events stored before migration 8 in time order, keeping the columns and constraints', async () => {
    const file = path.join(dir, 'v6.duckdb');
    const times = ['2024-05-03', '2024-05-01', '2024-05-04', '2024-05-02'];
    await storeAt(
      file,
      6,
      times.map(
        (
          t,
          i,
        ) => `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, object_id, record_index)
                   VALUES ('e-${t}', '111122223333', TIMESTAMP '${t} 12:00:00', 'GetObject', 'o1', ${i})`,
      ),
    );
    const fresh = path.join(dir, 'fresh.duckdb');
    await storeAt(fresh, MIGRATIONS.at(-1)?.version ?? 0);
    const store = await openDuckDbStore(file);
    expect((await store.searchEvents({ eventNames: ['GetObject'], limit: 3 })).map((e) => e.eventId)).toEqual(
      ['e-2024-05-04', 'e-2024-05-03', 'e-2024-05-02'],
    );
    await store.close();
    expect(await query(file, 'SELECT event_id FROM events ORDER BY rowid')).toEqual(
      [...times].sort().map((t) => [`e-${t}`]),
    );
    expect(await query(file, EVENT_COLUMNS_SQL)).toEqual(await query(fresh, EVENT_COLUMNS_SQL));
    expect(await query(file, 'SELECT max(version) FROM schema_migrations')).toEqual([
      [MIGRATIONS.at(-1)?.version],
    ]);
  });

  it('adds the search text (migration 6) and pending keys (7) to a store made by migration 5, once', async () => {
    const file = path.join(dir, 'v5.duckdb');
    await storeAt(file, 5, [
      `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, user_agent, request_parameters, object_id, record_index)
       VALUES ('old-1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'PutBucketPolicy', 'Boto3/1.34',
               '{"bucketName":"Legacy-Exports"}', 'o1', 0)`,
      // One key with a match still to evaluate, one evaluated.
      `INSERT INTO matches VALUES
         ('r', 'key-pending', 'old-1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'g', NULL, NULL, 't', 'low', NULL, NULL, NULL, '{}', false),
         ('r', 'key-done', 'old-2', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'g', NULL, NULL, 't', 'low', NULL, NULL, NULL, '{}', true)`,
    ]);
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

  it('splits the search text into three columns and stores the user names in one (migration 9)', async () => {
    const file = path.join(dir, 'v8.duckdb');
    await storeAt(file, 8, [
      `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, user_agent, actor_access_key_id,
                           actor_user_name, request_id, request_parameters, object_id, record_index, search_text)
       VALUES ('0d9C8b7a-6f5e-4d3c', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'PutBucketPolicy', 'Boto3/1.34',
               'AKIAEXAMPLEKEY', 'Legacy-User', 'Req-Not-Hex', '{"bucketName":"Legacy-Exports"}', 'o1', 0, 'stale'),
              ('odd id', '111122223333', TIMESTAMP '2024-05-02 12:00:00', 'GetObject', NULL, NULL,
               NULL, NULL, NULL, 'o1', 1, 'stale')`,
    ]);
    const store = await openDuckDbStore(file);
    const ids = async (text: string): Promise<string[]> =>
      (await store.searchEvents({ text })).map((e) => e.eventId);
    for (const text of [
      'legacy-exports',
      'BOTO3',
      'putbucketpolicy',
      'akiaexample',
      '0D9C8B7A-6F5E',
      'not-hex',
    ])
      expect(await ids(text), text).toEqual(['0d9C8b7a-6f5e-4d3c']);
    expect(await ids('ODD ID')).toEqual(['odd id']);
    expect(await ids('stale')).toEqual([]);
    const byUser = await store.searchEvents({ userNames: ['LEGACY-USER'] });
    expect(byUser.map((e) => e.eventId)).toEqual(['0d9C8b7a-6f5e-4d3c']);
    await store.close();
    const fresh = path.join(dir, 'fresh-9.duckdb');
    await storeAt(fresh, MIGRATIONS.at(-1)?.version ?? 0);
    expect(await query(file, EVENT_COLUMNS_SQL)).toEqual(await query(fresh, EVENT_COLUMNS_SQL));
    // Ids of hexadecimal characters are in their own column, any other in the rest.
    expect(
      await query(file, "SELECT search_ids, search_rest LIKE 'req-not-hex%' FROM events ORDER BY rowid"),
    ).toEqual([
      ['0d9c8b7a-6f5e-4d3c', true],
      ['', false],
    ]);
  });

  it('packs the actor in one column for lists (migration 10), every actor column of the table', async () => {
    const file = path.join(dir, 'v9.duckdb');
    await storeAt(file, 9, [
      `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, actor_type, actor_arn,
                           actor_user_name, actor_mfa, actor_assumed_root, request_parameters, resource_names,
                           object_id, record_index)
       VALUES ('m1', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'PutBucketPolicy', 'IAMUser',
               'arn:aws:iam::111122223333:user/dana', 'dana', true, NULL, '{"bucketName":"b"}',
               ['arn:aws:s3:::b'], 'o1', 0)`,
    ]);
    const store = await openDuckDbStore(file);
    const [full] = await store.searchEvents({});
    const [listed] = await store.searchEvents({}, 'list');
    expect(listed?.actor).toEqual(full?.actor);
    expect(listed?.actor).toMatchObject({ userName: 'dana', mfaAuthenticated: true, isAssumedRoot: null });
    expect(listed?.requestParameters).toEqual({ bucketName: 'b' });
    expect(listed?.resources.map((r) => r.arn)).toEqual(['arn:aws:s3:::b']);
    await store.close();
    const fresh = path.join(dir, 'fresh-10.duckdb');
    await storeAt(fresh, MIGRATIONS.at(-1)?.version ?? 0);
    expect(await query(file, EVENT_COLUMNS_SQL)).toEqual(await query(fresh, EVENT_COLUMNS_SQL));
    const actorColumns = await query(
      fresh,
      "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events' AND column_name LIKE 'actor\\_%' ESCAPE '\\'",
    );
    expect(actorColumns.map(([c]) => c).sort()).toEqual([...ACTOR_COLUMNS].sort());
  });
});
