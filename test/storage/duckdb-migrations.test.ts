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

  it('stores the names the origin filter compares (migration 11), which finds each by any of them', async () => {
    const file = path.join(dir, 'v10.duckdb');
    const row = (id: string, type: string, columns: Record<string, string>): string => {
      const names = Object.keys(columns);
      return `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, actor_type,
                ${names.join(', ')}, object_id, record_index)
              VALUES ('${id}', '111122223333', TIMESTAMP '2024-05-01 12:00:00', 'GetObject', '${type}',
                ${names.map((n) => `'${columns[n]}'`).join(', ')}, 'o1', 0)`;
    };
    const sso = 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1';
    await storeAt(file, 10, [
      row('user', 'IAMUser', { actor_arn: 'arn:aws:iam::111122223333:user/Dana', actor_user_name: 'Dana' }),
      row('service', 'AWSService', { actor_invoked_by: 'lambda.amazonaws.com' }),
      row('center', 'IdentityCenterUser', { actor_on_behalf_of_user_id: 'uid-123' }),
      row('behalf', 'AssumedRole', { actor_on_behalf_of_user_id: 'uid-456' }),
      row('source', 'AssumedRole', { actor_source_identity: 'Erin' }),
      row('instance', 'AssumedRole', { actor_session_name: 'i-0abc' }),
      row('portal', 'AssumedRole', { actor_session_name: 'gil@example.com', actor_issuer_arn: sso }),
      // A role session's name alone names no one (anyone may choose it).
      row('session', 'AssumedRole', { actor_session_name: 'frank' }),
    ]);
    const store = await openDuckDbStore(file);
    const found = async (origin: string): Promise<string[]> =>
      (await store.searchEvents({ origins: [origin] })).map((e) => e.eventId).sort();
    expect(await found('ARN:AWS:IAM::111122223333:USER/DANA')).toEqual(['user']);
    expect(await found('dana')).toEqual(['user']);
    expect(await found('Lambda.amazonaws.com')).toEqual(['service']);
    expect(await found('UID-123')).toEqual(['center']);
    expect(await found('uid-456')).toEqual(['behalf']);
    expect(await found('erin')).toEqual(['source']);
    expect(await found('I-0ABC')).toEqual(['instance']);
    expect(await found('Gil@Example.com')).toEqual(['portal']);
    expect(await found('frank')).toEqual([]);
    expect((await store.summarizeEvents({ origins: ['dana', 'erin'] }, [])).count).toBe(2);
    await store.close();
  });

  it('numbers stored events in their row order (migration 12), and indexes their words on open', async () => {
    const file = path.join(dir, 'v11.duckdb');
    const rest = `CASE i WHEN 100 THEN '{"note":"the rare-word"}' WHEN 4500 THEN '{"note":"rare-word again"}' ELSE '{"note":"common"}' END`;
    await storeAt(file, 11, [
      `INSERT INTO events (event_id, recipient_account_id, event_time, event_name, object_id, record_index, search_rest)
       SELECT 'e' || i, '111122223333', TIMESTAMP '2024-05-01' + INTERVAL (i) SECOND, 'GetObject', 'o1', i, ${rest}
       FROM range(5000) t(i)`,
    ]);
    const store = await openDuckDbStore(file);
    const found = (await store.searchEvents({ text: 'RARE-WORD', limit: 10 })).map((e) => e.eventId);
    expect(found.sort()).toEqual(['e100', 'e4500']);
    await store.close();
    expect(await query(file, 'SELECT count(*) FROM events WHERE seq IS DISTINCT FROM rowid')).toEqual([[0n]]);
    // Two whole blocks of 2,048 events; the last 904 rows wait for the block to fill.
    expect(
      await query(
        file,
        "SELECT block, contains(terms, ' rare '), contains(terms, ' common ') FROM text_blocks ORDER BY block",
      ),
    ).toEqual([
      [0n, true, true],
      [1n, false, true],
    ]);
  });
  it('keeps what match rows repeat once (migration 13), reading every row back as it was', async () => {
    const file = path.join(dir, 'v12-matches.duckdb');
    const origin = JSON.stringify({
      type: 'IAMUser',
      id: 'arn:aws:iam::1:user/ann',
      name: 'ann',
      accountId: '1',
    });
    // 300 rows of two keys: one title each, two regions, one source address missing.
    const rows = `SELECT CASE WHEN i % 2 = 0 THEN 'rule-a' ELSE 'rule-b' END, 'key-' || (i % 2), 'e' || i, '111122223333',
                         TIMESTAMP '2024-05-01' + INTERVAL (i) SECOND, 'ann', 'v' || (i % 7), NULL,
                         'Title ' || (i % 2), 'high', CASE WHEN i < 150 THEN 'us-east-1' ELSE 'eu-west-1' END,
                         CASE WHEN i % 2 = 0 THEN '203.0.113.9' END, 'arn:aws:iam::1:user/ann', '${origin}', false
                  FROM range(300) t(i)`;
    await storeAt(file, 12, [`INSERT INTO matches ${rows}`]);
    const before = await query(
      file,
      `SELECT rule_id, alert_key, event_id, epoch_ms(event_time), group_key, value, step, title, severity, region,
              source_ip, actor_arn, origin FROM matches ORDER BY event_id`,
    );
    const store = await openDuckDbStore(file);
    const back = await store.eventMatches(
      Array.from({ length: 300 }, (_, i) => ({ eventId: `e${i}`, recipientAccountId: '111122223333' })),
    );
    const summaries = await store.keySummaries(['key-0', 'key-1']);
    await store.close();
    expect(
      back
        .map((m) => [
          m.ruleId,
          m.alertKey,
          m.eventId,
          BigInt(m.eventTime),
          m.groupKey,
          m.value,
          m.step,
          m.title,
          m.severity,
          m.region,
          m.sourceIp,
          m.actorArn,
          JSON.stringify(m.origin),
        ])
        .sort((a, b) => (String(a[2]) < String(b[2]) ? -1 : 1)),
    ).toEqual(before);
    expect(
      ['key-0', 'key-1']
        .map((k) => summaries.get(k))
        .map((s) => [s?.first.eventId, s?.first.title, s?.first.sourceIp, s?.count]),
    ).toEqual([
      ['e0', 'Title 0', '203.0.113.9', 150],
      ['e1', 'Title 1', null, 150],
    ]);
    // Four details (two keys in two regions), no column left of the old layout.
    expect(await query(file, 'SELECT count(*) FROM match_details')).toEqual([[4n]]);
    // Rows whose details are lost still count, untitled: no alert goes missing for it.
    await query(file, "DELETE FROM match_details WHERE title = 'Title 1'");
    const reopened = await openDuckDbStore(file);
    const without = await reopened.keySummaries(['key-1']);
    const between = await reopened.matchesBetween('key-1', 0, Date.parse('2025-01-01'));
    await reopened.close();
    expect([without.get('key-1')?.count, without.get('key-1')?.first.title, between.length]).toEqual([
      150,
      '',
      150,
    ]);
    expect(
      await query(
        file,
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'matches' AND column_name IN ('title', 'origin', 'evaluated')",
      ),
    ).toEqual([[0n]]);
  });
});
