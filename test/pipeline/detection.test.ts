// Detection over the store: the same alerts whatever the file order, re-runs change nothing, crashes lose nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import { BUILTIN_RULES, loadRuleSet } from '../../src/app.js';
import { hashKey } from '../../src/engine/match.js';
import { detectInMemory } from '../../src/engine/evaluate-memory.js';
import { evaluatePending } from '../../src/pipeline/evaluate.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store, TimeSpan } from '../../src/storage/port.js';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';
import { cli } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-detect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RULES = path.join(root, 'rules');
mkdirSync(RULES);
writeFileSync(
  path.join(RULES, 'denied-burst.yml'),
  `id: denied-burst
title: Burst of denied calls
description: Many denied calls by one identity.
severity: high
status: stable
tactics: [TA0007]
runbook: Find out what the identity tried to reach and why it was denied.
type: threshold
detection:
  denied: { errorCode: AccessDenied }
  condition: denied
threshold: { count: 3, window: 1h }
output:
  title: 'Denied calls by {userIdentity.arn}'
  groupBy: [userIdentity.arn]
tests:
  - { name: burst, alerts: 1, events: [{ errorCode: AccessDenied }, { errorCode: AccessDenied }, { errorCode: AccessDenied }] }
  - { name: one, alerts: 0, events: [{ errorCode: AccessDenied }] }
`,
);

writeFileSync(
  path.join(RULES, 'user-then-admin.yml'),
  `id: user-then-admin
title: User created, then made admin
description: A new user gets an admin policy soon after.
severity: high
status: stable
tactics: [TA0003]
runbook: Find out who created the user and why it needs admin rights.
type: sequence
sequence: { by: requestParameters.userName, window: 1h, steps: [created, admin] }
detection:
  created: { eventName: CreateUser }
  admin: { eventName: AttachUserPolicy, requestParameters.policyArn|endswith: /AdministratorAccess }
  condition: created or admin
output:
  title: 'Admin rights for new user {requestParameters.userName}'
tests:
  - name: both
    alerts: 1
    events:
      - { eventName: CreateUser, requestParameters: { userName: eve } }
      - { eventName: AttachUserPolicy, requestParameters: { userName: eve, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }
  - { name: one, alerts: 0, events: [{ eventName: CreateUser, requestParameters: { userName: eve } }] }
`,
);

writeFileSync(
  path.join(RULES, 'first-listing.yml'),
  `id: first-listing
title: First bucket listing by an identity
description: An identity lists buckets for the first time after a week of learning.
severity: low
status: stable
tactics: [TA0007]
runbook: Ask the identity's owner.
type: new-value
newValue: { value: userIdentity.arn, learning: 7d }
detection:
  list: { eventName: ListBuckets }
  condition: list
output:
  title: 'First listing by {userIdentity.arn}'
tests:
  - name: new after learning
    alerts: 1
    events:
      - { eventTime: '2024-05-01T00:00:00Z', eventName: GetObject }
      - { eventTime: '2024-05-09T00:00:00Z', eventName: ListBuckets }
  - { name: while learning, alerts: 0, events: [{ eventName: ListBuckets }] }
`,
);

const at = (m: number): string => new Date(Date.UTC(2024, 4, 1, 10, m)).toISOString().replace('.000Z', 'Z');
const rec = (id: string, m: number, over: JsonObject = {}): JsonObject =>
  deepMerge({ ...BASE_TEST_RECORD, eventID: id, eventTime: at(m) }, over);
// A month later, another identity's burst fills its hour from the first second to the last: the
// files' keys lie weeks apart, and each window is read whole.
const later = (id: string, time: string): JsonObject =>
  deepMerge(rec(id, 0, { errorCode: 'AccessDenied' }), {
    eventTime: time,
    eventName: 'GetSecretValue',
    userIdentity: { arn: 'arn:aws:iam::111122223333:user/mallory' },
  });
// three files: the bursts are split across them, so only the store sees them whole
const files: JsonObject[][] = [
  [rec('d1', 1, { errorCode: 'AccessDenied' }), rec('ok1', 2), later('x1', '2024-06-01T11:00:00Z')],
  [rec('d2', 5, { errorCode: 'AccessDenied' }), later('x2', '2024-06-01T11:30:00Z')],
  [
    rec('d3', 9, { errorCode: 'AccessDenied' }),
    rec('d1', 1, { errorCode: 'AccessDenied' }),
    later('x3', '2024-06-01T11:59:59Z'),
    later('x4', '2024-06-01T12:00:00Z'),
  ],
];

async function run(order: number[], name: string): Promise<string[]> {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const { rules } = await loadRuleSet([RULES], root);
  const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
  try {
    for (const i of order) {
      const f = path.join(dir, `f${i}.json`);
      writeFileSync(f, JSON.stringify({ Records: files[i] }));
      await ingest(store, [createLocalSource([f])], { detection: { rules } });
    }
    // running the same data again changes nothing
    await ingest(store, [createLocalSource([dir])], { detection: { rules } });
    return (await store.alerts({})).map((a) => `${a.id} ${a.ruleId} ${a.count} ${a.eventIds.join(',')}`);
  } finally {
    await store.close();
  }
}

describe('detection over the store', () => {
  it('finds sequences over the store as in memory, in any delivery order', async () => {
    const admin = { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
    const create = (id: string, m: number, user: string): JsonObject =>
      rec(id, m, { eventName: 'CreateUser', requestParameters: { userName: user } });
    const attach = (id: string, m: number, user: string): JsonObject =>
      rec(id, m, { eventName: 'AttachUserPolicy', requestParameters: { userName: user, ...admin } });
    // eve: two occurrences; mallory: admin before creation (none); trent: admin too late (none);
    // many unrelated later steps without a start.
    const groups: JsonObject[][] = [
      [create('e1', 0, 'eve'), attach('m1', 2, 'mallory')],
      [attach('e2', 30, 'eve'), create('m2', 40, 'mallory'), create('t1', 1, 'trent')],
      [create('e3', 200, 'eve'), attach('t2', 90, 'trent')],
      [attach('e4', 230, 'eve'), ...Array.from({ length: 20 }, (_, i) => attach(`x${i}`, 300 + i, 'eve'))],
    ];
    const { rules } = await loadRuleSet([RULES], root);
    const sequenceRules = rules.filter((r) => r.meta.id === 'user-then-admin');
    const expected = (await detectInMemory(sequenceRules, groups.flat())).alerts
      .map((a) => `${a.id} ${a.count} ${a.eventIds.join(',')}`)
      .sort();
    expect(expected).toHaveLength(2);
    for (const [n, order] of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
    ].entries()) {
      const dir = path.join(root, `sequence-${n}`);
      mkdirSync(dir);
      const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
      try {
        for (const i of order) {
          const f = path.join(dir, `f${i}.json`);
          writeFileSync(f, JSON.stringify({ Records: groups[i] }));
          await ingest(store, [createLocalSource([f])], { detection: { rules: sequenceRules } });
        }
        const alerts = (await store.alerts({}))
          .map((a) => `${a.id} ${a.count} ${a.eventIds.join(',')}`)
          .sort();
        expect(alerts).toEqual(expected);
      } finally {
        await store.close();
      }
    }
  });

  it('gives identical alerts for any file order and for re-runs', async () => {
    const a = await run([0, 1, 2], 'forward');
    const b = await run([2, 1, 0], 'backward');
    const c = await run([1, 2, 0], 'mixed');
    expect(a).toHaveLength(2);
    expect(a.map((line) => line.replace(/^\S+ /, '')).sort()).toEqual([
      'denied-burst 3 d1,d2,d3',
      'denied-burst 3 x1,x2,x3',
    ]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('leaves new-value keys pending while the store holds matches but no event (another writer mid-batch)', async () => {
    const dir = path.join(root, 'no-events-yet');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    try {
      const origin = { type: 'IAMUser' as const, id: 'arn:aws:iam::1:user/x', name: 'x', accountId: '1' };
      const key = hashKey('first-listing', '', 'arn:aws:iam::1:user/x');
      await store.appendBatch({
        objects: [],
        events: [],
        quarantine: [],
        credentials: [],
        matches: [
          {
            ruleId: 'first-listing',
            alertKey: key,
            eventId: 'l1',
            recipientAccountId: '1',
            eventTime: Date.parse(at(30)),
            groupKey: '',
            value: 'arn:aws:iam::1:user/x',
            step: null,
            title: 'First listing',
            severity: 'low',
            region: 'us-east-1',
            sourceIp: null,
            actorArn: 'arn:aws:iam::1:user/x',
            origin,
          },
        ],
      });
      const now = Date.parse('2024-06-01T00:00:00Z');
      await evaluatePending(store, rules, now);
      // No data start to learn from: no alert, and the key waits.
      expect(await store.alerts({})).toEqual([]);
      expect((await store.pendingAlertKeys(10)).map((k) => k.alertKey)).toEqual([key]);
      // The events land; the match falls in the learning week: still no alert, and the key is done.
      const f = path.join(dir, 'events.json');
      writeFileSync(f, JSON.stringify({ Records: [rec('start', 0)] }));
      await ingest(store, [createLocalSource([f])], {});
      await evaluatePending(store, rules, now);
      expect(await store.alerts({})).toEqual([]);
      expect(await store.pendingAlertKeys(10)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("decides new-value keys by the rule's learning period over the store, its end excluded", async () => {
    const dir = path.join(root, 'learning');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const listing = (id: string, time: string, user: string): JsonObject =>
      deepMerge(rec(id, 0), {
        eventTime: time,
        eventName: 'ListBuckets',
        userIdentity: { arn: `arn:aws:iam::111122223333:user/${user}` },
      });
    // Data from 10:00 on 1 May (the first event), so the learning week ends at 10:00 on 8 May.
    const days: JsonObject[][] = [
      [rec('start', 0), listing('alice-1', '2024-05-02T10:00:00Z', 'alice')],
      [
        listing('carol-1', '2024-05-08T10:00:00Z', 'carol'),
        listing('dave-1', '2024-05-08T09:59:59Z', 'dave'),
      ],
      [listing('alice-2', '2024-05-20T10:00:00Z', 'alice'), listing('bob-1', '2024-05-20T11:00:00Z', 'bob')],
    ];
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    // Keys seen while learning are settled by their first time alone, never summarized.
    const summarized = new Set<string>();
    const watched: Store = Object.assign(Object.create(store) as Store, {
      keySummaries: (keys: readonly string[], within?: readonly TimeSpan[]) => {
        for (const k of keys) summarized.add(k);
        return store.keySummaries(keys, within);
      },
    });
    try {
      for (const [i, records] of days.entries()) {
        const f = path.join(dir, `day${i}.json`);
        writeFileSync(f, JSON.stringify({ Records: records }));
        await ingest(watched, [createLocalSource([f])], { detection: { rules } });
      }
      // alice and dave were seen while learning; carol first at the very end of it, bob after it.
      expect((await store.alerts({})).map((a) => a.eventIds.join(',')).sort()).toEqual(['bob-1', 'carol-1']);
      const keyOf = (user: string): string => {
        const arn = `arn:aws:iam::111122223333:user/${user}`;
        return hashKey('first-listing', arn, arn); // grouped by the actor, as the rule does not say
      };
      expect([...summarized].sort()).toEqual([keyOf('bob'), keyOf('carol')].sort());
    } finally {
      await store.close();
    }
  });

  it('evaluates matches left pending by a run that stopped before evaluation', async () => {
    const dir = path.join(root, 'crash');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    try {
      const origin = { type: 'IAMUser' as const, id: 'arn:aws:iam::1:user/x', name: 'x', accountId: '1' };
      const match = (id: string, m: number) => ({
        ruleId: 'denied-burst',
        alertKey: hashKey('denied-burst', 'arn:aws:iam::1:user/x', 0),
        eventId: id,
        recipientAccountId: '1',
        eventTime: Date.parse(at(m)),
        groupKey: 'arn:aws:iam::1:user/x',
        value: null,
        step: null,
        title: 'Denied calls',
        severity: 'high' as const,
        region: 'us-east-1',
        sourceIp: null,
        actorArn: 'arn:aws:iam::1:user/x',
        origin,
      });
      // a batch stored with its matches, and then the process died before evaluating them
      await store.appendBatch({
        objects: [],
        events: [],
        quarantine: [],
        credentials: [],
        matches: [match('a', 1), match('b', 2), match('c', 3)],
      });
      expect(await store.alerts({})).toEqual([]);
      await evaluatePending(store, rules, Date.parse('2024-06-01T00:00:00Z'));
      expect((await store.alerts({})).map((a) => a.count)).toEqual([3]);
      expect(await store.pendingAlertKeys(10)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  // In the web UI beside \`serve --watch\`, or from another worker, a suppression can change while a
  // round of evaluation is between reading the suppressions and saving its alerts.
  it('applies a suppression added or removed while evaluation saves its alerts', async () => {
    const dir = path.join(root, 'suppress-race');
    mkdirSync(dir);
    const { rules } = await loadRuleSet([RULES], root);
    const store = await openDuckDbStore(path.join(dir, 'db.duckdb'));
    const now = Date.parse('2024-06-01T00:00:00Z');
    const sup = {
      id: 'sup-race',
      ruleId: 'denied-burst',
      match: {},
      reason: 'ci',
      author: 't',
      createdAt: now,
      expiresAt: null,
    };
    // Runs once, right after the first save that writes an alert.
    let meanwhile: (() => Promise<unknown>) | null = () => store.addSuppression(sup);
    const racing = new Proxy(store, {
      get(target, name) {
        if (name === 'saveAlerts')
          return async (...args: Parameters<Store['saveAlerts']>) => {
            await target.saveAlerts(...args);
            const change = meanwhile;
            if (change && args[0].length) {
              meanwhile = null;
              await change();
            }
          };
        const value: unknown = Reflect.get(target, name);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const file = (name: string, records: JsonObject[]): string => {
      const f = path.join(dir, name);
      writeFileSync(f, JSON.stringify({ Records: records }));
      return f;
    };
    const denied = (id: string, m: number) => rec(id, m, { errorCode: 'AccessDenied' });
    const ingestRacing = (name: string, records: JsonObject[]) =>
      ingest(racing, [createLocalSource([file(name, records)])], { detection: { rules, now: () => now } });
    const alertState = async () =>
      (await store.alerts({ statuses: ['open', 'suppressed'] })).map((a) => [
        a.count,
        a.status,
        a.suppressedBy,
      ]);
    try {
      await ingestRacing('a.json', [denied('s1', 1), denied('s2', 2), denied('s3', 3)]);
      expect(meanwhile).toBeNull();
      expect(await alertState()).toEqual([[3, 'suppressed', 'sup-race']]);
      expect(await store.pendingAlertKeys(10)).toEqual([]);
      // One more denied call: evaluated under the suppression, which is removed as the alert is saved.
      meanwhile = () => store.removeSuppression('sup-race', now);
      await ingestRacing('b.json', [denied('s4', 4)]);
      expect(meanwhile).toBeNull();
      expect(await alertState()).toEqual([[4, 'open', null]]);
    } finally {
      await store.close();
    }
  });
});

describe('trailwatch hunt and alerts', () => {
  it('hunts a folder with the built-in pack and prints alerts with their runbook', async () => {
    const dir = path.join(root, 'hunt');
    mkdirSync(dir);
    const login = rec('login', 3, {
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      responseElements: { ConsoleLogin: 'Success' },
      additionalEventData: { MFAUsed: 'No' },
    });
    writeFileSync(path.join(dir, 'trail.json'), JSON.stringify({ Records: [login, rec('other', 4)] }));
    const r = await cli(['hunt', dir, '--format', 'jsonl', '--rules', BUILTIN_RULES]);
    expect(r.code, r.err).toBe(1);
    const alerts = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const mfa = alerts.find((a) => a.ruleId === 'console-login-without-mfa');
    expect(mfa).toMatchObject({
      severity: 'medium',
      status: 'open',
      tactics: ['TA0001'],
      techniques: ['T1078.004'],
      count: 1,
      eventIds: ['login'],
      account: '111122223333',
      sourceIp: '198.51.100.7',
      actor: { origin: { type: 'IAMUser', name: 'alice' } },
    });
    expect(String(mfa?.runbook)).toContain('MFA');
    const quiet = await cli(['hunt', dir, '--min-severity', 'critical', '--rules', BUILTIN_RULES]);
    expect(quiet.code).toBe(0);
    // A kept store is searchable (a temporary one keeps no search columns)
    const kept = path.join(root, 'hunt-kept.duckdb');
    const again = await cli(['hunt', dir, '--format', 'jsonl', '--rules', BUILTIN_RULES, '--keep', kept]);
    expect(again.out).toBe(r.out);
    const found = await cli(['search', '--db', kept, '--text', 'consolelogin', '--format', 'jsonl']);
    expect(found.code, found.err).toBe(0);
    expect(
      found.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { eventId: string }).eventId),
    ).toEqual(['login']);
  });

  it('lets users extend a rule list from the command line (an allow-list here)', async () => {
    const dir = path.join(root, 'lists');
    mkdirSync(dir);
    const rules = path.join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(
      path.join(rules, 'any-denied.yml'),
      `id: any-denied
title: Denied call
description: A denied call outside the allow-list.
severity: low
status: stable
tactics: [TA0007]
runbook: Find out what the identity tried to reach and why it was denied.
lists:
  expected-denials: []
detection:
  denied: { errorCode: AccessDenied }
  allowed: { userIdentity.arn|list: expected-denials }
  condition: denied and not allowed
tests:
  - { name: denied, alert: true, event: { errorCode: AccessDenied } }
  - { name: fine, alert: false, event: {} }
`,
    );
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    writeFileSync(
      path.join(logs, 'a.json'),
      JSON.stringify({ Records: [rec('x1', 1, { errorCode: 'AccessDenied' })] }),
    );
    expect((await cli(['hunt', logs, '--rules', rules])).code).toBe(1);
    const allowed = await cli([
      'hunt',
      logs,
      '--rules',
      rules,
      '--list',
      'expected-denials=arn:aws:iam::111122223333:user/alice',
    ]);
    expect(allowed.code, allowed.err).toBe(0);
    expect((await cli(['hunt', logs, '--rules', rules, '--list', 'oops'])).err).toContain(
      'expected NAME=VALUE',
    );
  });

  it('lists stored alerts from an ingest with filters', async () => {
    const dir = path.join(root, 'list');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ Records: files.flat() }));
    const db = path.join(dir, 'db.duckdb');
    expect((await cli(['ingest', dir, '--db', db, '--rules', RULES])).code).toBe(0);
    const high = await cli([
      'alerts',
      '--db',
      db,
      '--min-severity',
      'high',
      '--format',
      'csv',
      '--rules',
      RULES,
    ]);
    // the header and the two bursts
    expect(high.out.trim().split('\n')).toHaveLength(3);
    expect(high.out).toContain('denied-burst');
    const none = await cli(['alerts', '--db', db, '--rule', 'other-rule', '--format', 'jsonl']);
    expect(none.out).toBe('');
  });
});
