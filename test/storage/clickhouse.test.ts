// Runs the Store contract against the ClickHouse store, on a private server (a database per test).
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/app.js';
import { MATCH_COLUMNS, matchRow } from '../../src/storage/clickhouse/alerts.js';
import { connect } from '../../src/storage/clickhouse/client.js';
import { MIGRATIONS, tableDdl } from '../../src/storage/clickhouse/migrations.js';
import { openClickhouseStore } from '../../src/storage/clickhouse/store.js';
import { parseClickhouseUrl } from '../../src/storage/clickhouse/url.js';
import type { Alert, MatchRow } from '../../src/domain/alert.js';
import { StoreError, type Store } from '../../src/storage/port.js';
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

  // Several writers share a ClickHouse store: one may replace a key's matches (matching an event
  // again once another worker stored its AssumeRole) while another is evaluating that key from what
  // it read before. Whichever order the writes land in, the evaluated alerts must follow the matches.
  describe('with two writers', () => {
    const T0 = Date.parse('2024-06-12T11:48:38Z');
    const ORIGIN = {
      type: 'IAMUser' as const,
      id: 'arn:aws:iam::111122223333:user/bob',
      name: 'bob',
      accountId: '111122223333',
    };
    const UNRESOLVED = {
      type: 'Unknown' as const,
      id: 'unresolved/AIDAEXAMPLE',
      name: 'AIDAEXAMPLE',
      accountId: null,
    };
    const match = (alertKey: string, eventId: string, over: Partial<MatchRow> = {}): MatchRow => ({
      ruleId: 'rule-a',
      alertKey,
      eventId,
      recipientAccountId: '111122223333',
      eventTime: T0,
      groupKey: UNRESOLVED.id,
      value: null,
      step: null,
      title: `Title ${alertKey}`,
      severity: 'high',
      region: 'eu-west-1',
      sourceIp: '203.0.113.77',
      actorArn: 'arn:aws:sts::111122223333:assumed-role/admin/session1',
      origin: UNRESOLVED,
      ...over,
    });
    /** The alert an evaluator makes of what it read of a key. */
    const alertOf = (m: MatchRow): Alert => ({
      id: `alert-${m.alertKey}`,
      ruleId: m.ruleId,
      alertKey: m.alertKey,
      title: m.title,
      severity: m.severity,
      groupKey: m.groupKey,
      firstSeen: m.eventTime,
      lastSeen: m.eventTime,
      count: 1,
      eventIds: [m.eventId],
      account: m.recipientAccountId,
      region: m.region,
      sourceIp: m.sourceIp,
      actorArn: m.actorArn,
      origin: m.origin,
      suppressedBy: null,
    });
    let writers = 0;
    /** Runs `test` with two stores on one new database (two writers), and closes both. */
    async function withTwoWriters(test: (one: Store, other: Store) => Promise<void>): Promise<void> {
      const url = `clickhouse://127.0.0.1:${server.httpPort}/writers_${writers++}`;
      const one = await openClickhouseStore(url);
      const other = await openClickhouseStore(url).catch(async (err: unknown) => {
        await one.close();
        throw err;
      });
      try {
        await test(one, other);
      } finally {
        await one.close();
        await other.close();
      }
    }
    const ref = { eventId: 'e1', recipientAccountId: '111122223333', eventTime: T0 };
    const stored = (m: MatchRow) => ({
      objects: [],
      events: [],
      quarantine: [],
      credentials: [],
      matches: [m],
    });

    it('an alert evaluated from matches another writer has just moved to another key goes', () =>
      withTwoWriters(async (evaluator, rematcher) => {
        const before = match('key-unresolved', 'e1');
        await evaluator.appendBatch(stored(before));
        const pending = await evaluator.pendingAlertKeys(100);
        expect(pending.map((k) => k.alertKey)).toEqual(['key-unresolved']);
        const read = await evaluator.keySummaries(['key-unresolved']);
        expect(read.get('key-unresolved')?.count).toBe(1);
        // The other writer resolves the key: the event's match moves to its origin's key, and the
        // old key, left without matches, has no alert to remove yet.
        const after = match('key-bob', 'e1', { groupKey: ORIGIN.id, origin: ORIGIN });
        await rematcher.replaceMatches([ref], [after]);
        await evaluator.saveAlerts([alertOf(before)], ['key-unresolved'], ['key-unresolved']);
        expect((await evaluator.alerts({})).map((a) => a.id)).toEqual([]);
        expect((await rematcher.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-bob']);
      }));

    it('a key whose matches another writer rewrote after evaluation read them stays pending', () =>
      withTwoWriters(async (evaluator, rematcher) => {
        // Grouped by something that attribution does not change (a bucket): the key stays, the
        // match's origin and title change.
        const before = match('key-bucket', 'e1', { groupKey: 'bucket' });
        await evaluator.appendBatch(stored(before));
        expect((await evaluator.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-bucket']);
        await evaluator.keySummaries(['key-bucket']);
        const after = { ...before, origin: ORIGIN, title: 'Title by bob' };
        await rematcher.replaceMatches([ref], [after]);
        await evaluator.saveAlerts([alertOf(before)], ['key-bucket'], ['key-bucket']);
        // Evaluated again, now from the rewritten match.
        const again = await evaluator.pendingAlertKeys(100);
        expect(again.map((k) => k.alertKey)).toEqual(['key-bucket']);
        await evaluator.saveAlerts([alertOf(after)], ['key-bucket'], ['key-bucket']);
        expect(await evaluator.pendingAlertKeys(100)).toEqual([]);
        expect((await evaluator.alerts({})).map((a) => [a.title, a.origin.id])).toEqual([
          ['Title by bob', ORIGIN.id],
        ]);
      }));

    it('an evaluation that read a key before another evaluation did leaves it pending after its save', () =>
      withTwoWriters(async (older, newer) => {
        const first = match('key-a', 'e1');
        const second = match('key-a', 'e2', { eventTime: T0 + 1000 });
        await older.appendBatch(stored(first));
        await older.pendingAlertKeys(100);
        await newer.appendBatch(stored(second));
        expect((await newer.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-a']);
        const both = { ...alertOf(first), count: 2, lastSeen: second.eventTime, eventIds: ['e1', 'e2'] };
        await newer.saveAlerts([both], ['key-a'], ['key-a']);
        // The slower evaluation saves what it read before the second match was stored, over the
        // newer alert: it finds the count changed after its write, and the key is pending again.
        await older.saveAlerts([alertOf(first)], ['key-a'], ['key-a']);
        expect((await newer.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-a']);
        await newer.saveAlerts([both], ['key-a'], ['key-a']);
        expect(await newer.pendingAlertKeys(100)).toEqual([]);
        expect((await newer.alerts({})).map((a) => [a.count, a.eventIds])).toEqual([[2, ['e1', 'e2']]]);
      }));

    it('a key a suppression made pending after evaluation read it stays pending', () =>
      withTwoWriters(async (evaluator, other) => {
        const first = match('key-a', 'e1');
        await evaluator.appendBatch(stored(first));
        await evaluator.pendingAlertKeys(100);
        await evaluator.saveAlerts([alertOf(first)], ['key-a'], ['key-a']);
        await evaluator.appendBatch(stored(match('key-a', 'e2')));
        expect((await evaluator.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-a']);
        // The open alert's key is made pending by the new suppression before evaluation marks it.
        await other.addSuppression({
          id: 'sup-1',
          ruleId: 'rule-a',
          match: {},
          reason: 'ci',
          author: 'ann',
          createdAt: T0,
          expiresAt: null,
        });
        await evaluator.saveAlerts([{ ...alertOf(first), count: 2 }], ['key-a'], ['key-a']);
        expect((await evaluator.pendingAlertKeys(100)).map((k) => k.alertKey)).toEqual(['key-a']);
      }));
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
