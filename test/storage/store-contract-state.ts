// The Store contract, continued: the ledger, matches and alert evaluation state, triage,
// suppressions and the outbox — the mutable state every backend must keep the same way.
import { beforeEach, expect, it } from 'vitest';
import type { Alert, MatchRow, OutboxItem } from '../../src/domain/alert.js';
import type { StoredCredential } from '../../src/domain/identity.js';
import type { Store } from '../../src/storage/port.js';
import { event, objectRecord } from '../helpers/records.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
/** After the contract's clock (T0 + 1 h), which times the evaluation's own history entries. */
const LATER = T0 + 7_200_000;
const ORIGIN = {
  type: 'IAMUser' as const,
  id: 'arn:aws:iam::111122223333:user/bob',
  name: 'bob',
  accountId: '111122223333',
};

function credential(
  key: string,
  callerKey: string | null,
  over: Partial<StoredCredential> = {},
): StoredCredential {
  return {
    accessKeyId: key,
    kind: 'AssumeRole',
    issuedAt: T0,
    expiresAt: T0 + 3_600_000,
    eventId: `ev-${key}`,
    recipientAccountId: '111122223333',
    sharedEventId: null,
    caller: { ...event().actor, accessKeyId: callerKey },
    targetArn: `arn:aws:sts::111122223333:assumed-role/Admin/${key.toLowerCase()}`,
    roleArn: 'arn:aws:iam::111122223333:role/Admin',
    targetAccountId: '111122223333',
    sessionName: `Session-${key}`,
    sourceIdentity: null,
    subject: null,
    provider: null,
    sourceIpAddress: '198.51.100.7',
    resolution: {
      origin: ORIGIN,
      chain: [],
      resolvedBy: 'access-key-chain',
      confidence: 'high',
      pendingKey: null,
      detail: null,
    },
    ...over,
  };
}

function match(alertKey: string, eventId: string, at: number, over: Partial<MatchRow> = {}): MatchRow {
  return {
    ruleId: 'rule-a',
    alertKey,
    eventId,
    recipientAccountId: '111122223333',
    eventTime: at,
    groupKey: 'bob',
    value: null,
    step: null,
    title: `Title ${alertKey}`,
    severity: 'medium',
    region: 'us-east-1',
    sourceIp: '198.51.100.7',
    actorArn: ORIGIN.id,
    origin: ORIGIN,
    ...over,
  };
}

function alert(id: string, alertKey: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    ruleId: 'rule-a',
    alertKey,
    title: `Title ${alertKey}`,
    severity: 'medium',
    groupKey: 'bob',
    firstSeen: T0,
    lastSeen: T0 + 1000,
    count: 2,
    eventIds: ['m1', 'm2'],
    account: '111122223333',
    region: 'us-east-1',
    sourceIp: '198.51.100.7',
    actorArn: ORIGIN.id,
    origin: ORIGIN,
    suppressedBy: null,
    ...over,
  };
}

/** A pending notification created at T0; tests override what they look at. */
export function notification(id: string, over: Partial<OutboxItem> = {}): OutboxItem {
  return {
    id,
    alertId: 'alert-1',
    destination: 'ops',
    kind: 'new',
    payload: '{"n":1}',
    status: 'pending',
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    createdAt: T0,
    deliveredAt: null,
    ...over,
  };
}

let batchNo = 0;
async function append(store: Store, over: { credentials?: StoredCredential[]; matches?: MatchRow[] }) {
  const id = `state-${batchNo++}`;
  await store.appendBatch({
    objects: [objectRecord(id)],
    events: [],
    quarantine: [],
    credentials: over.credentials ?? [],
    matches: over.matches ?? [],
  });
}

const keysOf = async (store: Store): Promise<string[]> =>
  (await store.pendingAlertKeys(100)).map((k) => k.alertKey);

/** Registers the state tests inside the contract's describe block, on its store. */
export function stateContract(current: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  it('keeps the ledger: rows by key, replaced by newer rows, children and look-ups', async () => {
    await append(store, {
      credentials: [credential('ASIAPARENT', 'AKIABOB'), credential('ASIACHILD', 'ASIAPARENT')],
    });
    const rows = await store.credentials(['ASIAPARENT', 'ASIAMISSING']);
    expect([...rows.keys()]).toEqual(['ASIAPARENT']);
    expect(rows.get('ASIAPARENT')).toEqual(credential('ASIAPARENT', 'AKIABOB'));
    expect((await store.credentialChildren(['ASIAPARENT'])).map((c) => c.accessKeyId)).toEqual(['ASIACHILD']);
    const better = credential('ASIACHILD', 'ASIAPARENT', { sessionName: 'renamed' });
    await append(store, { credentials: [better] });
    expect((await store.credentials(['ASIACHILD'])).get('ASIACHILD')?.sessionName).toBe('renamed');
    expect((await store.findCredentials('RENAMED')).map((c) => c.accessKeyId)).toEqual(['ASIACHILD']);
    expect((await store.findCredentials('BOB')).map((c) => c.accessKeyId)).toEqual([
      'ASIACHILD',
      'ASIAPARENT',
    ]);
    expect(await store.findCredentials("x' OR 1=1 --")).toEqual([]);
  });

  it('keeps matches pending until evaluated, counts a re-delivered match once, and summarizes a key', async () => {
    await append(store, {
      matches: [
        match('key-a', 'm2', T0 + 1000, { severity: 'high', value: 'v1' }),
        match('key-a', 'm1', T0, { value: 'v1' }),
        match('key-b', 'm3', T0 + 5000),
      ],
    });
    await append(store, { matches: [match('key-a', 'm1', T0, { value: 'v1' })] });
    const pending = await store.pendingAlertKeys(100);
    expect(pending).toEqual([
      { ruleId: 'rule-a', alertKey: 'key-a', from: T0, to: T0 + 1000 },
      { ruleId: 'rule-a', alertKey: 'key-b', from: T0 + 5000, to: T0 + 5000 },
    ]);
    expect(await store.keyCounts(['key-a', 'key-none'])).toEqual(
      new Map([['key-a', { count: 2, distinctValues: 1 }]]),
    );
    expect(await store.keyFirstSeen(['key-b', 'key-a', 'key-none'])).toEqual(
      new Map([
        ['key-a', T0],
        ['key-b', T0 + 5000],
      ]),
    );
    // Before a time (a learning period's end, excluded): keys first seen at or after it are left out.
    expect(await store.keyFirstSeen(['key-b', 'key-a'], T0 + 5000)).toEqual(new Map([['key-a', T0]]));
    expect(await store.keyFirstSeen(['key-b', 'key-a'], T0 + 5001)).toEqual(
      new Map([
        ['key-a', T0],
        ['key-b', T0 + 5000],
      ]),
    );
    expect(await store.keyFirstSeen(['key-a'], T0)).toEqual(new Map());
    // Read within the spans their matches lie in (windowed keys' windows): both ends included.
    const within = [
      { from: T0 - 5000, to: T0 - 4000 },
      { from: T0, to: T0 + 1000 },
    ];
    expect(await store.keyCounts(['key-a'], within)).toEqual(
      new Map([['key-a', { count: 2, distinctValues: 1 }]]),
    );
    expect((await store.keySummaries(['key-a'], within)).get('key-a')?.eventIds).toEqual(['m1', 'm2']);
    const summary = (await store.keySummaries(['key-a'])).get('key-a');
    expect(summary).toMatchObject({ count: 2, distinctValues: 1, lastSeen: T0 + 1000, severity: 'high' });
    expect(summary?.eventIds).toEqual(['m1', 'm2']);
    expect(summary?.first).toEqual(match('key-a', 'm1', T0, { value: 'v1' }));
    expect((await store.matchesBetween('key-a', T0 + 1, T0 + 2000)).map((m) => m.eventId)).toEqual(['m2']);
    await store.saveAlerts([alert('alert-a', 'key-a')], ['key-a', 'key-b'], ['key-a', 'key-b']);
    expect(await store.pendingAlertKeys(100)).toEqual([]);
    expect((await store.alerts({})).map((a) => [a.id, a.status, a.count])).toEqual([['alert-a', 'open', 2]]);
    await append(store, { matches: [match('key-a', 'm4', T0 + 2000, { step: 'second' })] });
    expect(await keysOf(store)).toEqual(['key-a']);
    expect((await store.matchesBetween('key-a', T0, T0 + 9000)).map((m) => [m.eventId, m.step])).toEqual([
      ['m1', null],
      ['m2', null],
      ['m4', 'second'],
    ]);
    expect((await store.matchesBetween('key-a', T0, T0 + 9000, 'second')).map((m) => m.eventId)).toEqual([
      'm4',
    ]);
  });

  it('replaces the matches of events matched again, making the keys they left and joined pending', async () => {
    const ref = (eventId: string) => ({ eventId, recipientAccountId: '111122223333' });
    await append(store, {
      matches: [match('key-a', 'm1', T0), match('key-a', 'm2', T0 + 1000), match('key-b', 'm3', T0)],
    });
    await store.saveAlerts(
      [alert('alert-a', 'key-a'), alert('alert-b', 'key-b', { count: 1, eventIds: ['m3'] })],
      ['key-a', 'key-b'],
      [],
    );
    expect(await keysOf(store)).toEqual([]);
    expect((await store.eventMatches([ref('m3'), ref('m1'), ref('none')])).map((m) => m.alertKey)).toEqual([
      'key-a',
      'key-b',
    ]);
    await store.replaceMatches(
      [ref('m1'), ref('m3')],
      [match('key-c', 'm1', T0, { title: 'moved' }), match('key-c', 'm3', T0)],
    );
    expect(await keysOf(store)).toEqual(['key-a', 'key-c']);
    const now = await store.eventMatches([ref('m1'), ref('m2'), ref('m3')]);
    expect(now.map((m) => [m.eventId, m.alertKey])).toEqual([
      ['m1', 'key-c'],
      ['m3', 'key-c'],
      ['m2', 'key-a'],
    ]);
    expect(now[0]).toEqual(match('key-c', 'm1', T0, { title: 'moved' }));
    // key-b lost its only match: its open alert goes; key-a keeps its alert until evaluated.
    expect((await store.alerts({})).map((a) => a.id)).toEqual(['alert-a']);
    expect((await store.keySummaries(['key-a', 'key-b'])).get('key-a')?.count).toBe(1);
    expect((await store.keySummaries(['key-b'])).size).toBe(0);
    // Matched back as before: the row removed first is the live one again.
    await store.replaceMatches([ref('m1')], [match('key-a', 'm1', T0)]);
    expect((await store.keySummaries(['key-a'])).get('key-a')?.eventIds).toEqual(['m1', 'm2']);
    expect((await store.matchesBetween('key-c', T0 - 1, T0 + 1)).map((m) => m.eventId)).toEqual(['m3']);
    // A stored event delivered again does not bring back the matches it had before.
    const stored = event({ eventID: 'm9' }, 'state-m9');
    await store.appendBatch({
      objects: [objectRecord('state-m9')],
      events: [stored],
      quarantine: [],
      credentials: [],
      matches: [match('key-a', 'm9', stored.eventTime)],
    });
    await store.replaceMatches([ref('m9')], [match('key-d', 'm9', stored.eventTime)]);
    await store.appendBatch({
      objects: [objectRecord('state-m9-again')],
      events: [{ ...stored, origin: { ...stored.origin, objectId: 'state-m9-again' } }],
      quarantine: [],
      credentials: [],
      matches: [match('key-a', 'm9', stored.eventTime)],
    });
    expect((await store.eventMatches([ref('m9')])).map((m) => m.alertKey)).toEqual(['key-d']);
  });

  it('finds and replaces the matches of refs that carry their event times, at the edges too', async () => {
    const ref = (eventId: string, eventTime: number) => ({
      eventId,
      recipientAccountId: '111122223333',
      eventTime,
    });
    await append(store, {
      matches: [
        match('key-a', 'm1', T0),
        match('key-a', 'm2', T0 + 1000),
        match('key-b', 'm2', T0 + 1000),
        match('key-a', 'm3', T0 + 5000),
      ],
    });
    // The times bound the read: the first and the last ref sit on its edges.
    const found = await store.eventMatches([ref('m3', T0 + 5000), ref('m1', T0)]);
    expect(found.map((m) => m.eventId)).toEqual(['m1', 'm3']);
    await store.replaceMatches([ref('m2', T0 + 1000)], [match('key-c', 'm2', T0 + 1000)]);
    const now = await store.eventMatches([ref('m1', T0), ref('m2', T0 + 1000), ref('m3', T0 + 5000)]);
    expect(now.map((m) => [m.eventId, m.alertKey])).toEqual([
      ['m1', 'key-a'],
      ['m2', 'key-c'],
      ['m3', 'key-a'],
    ]);
    expect([...(await store.keySummaries(['key-a', 'key-b', 'key-c'])).keys()].sort()).toEqual([
      'key-a',
      'key-c',
    ]);
  });

  it('finds and replaces the matches of thousands of refs given in any order, some without a time', async () => {
    const n = 2500;
    const ids = Array.from({ length: n }, (_, i) => `bulk-${i}`);
    await append(store, { matches: ids.map((id, i) => match('key-a', id, T0 + i * 1000)) });
    // Newest first, every seventh without its time: read in chunks of whatever size the store uses.
    const refs = ids
      .map((eventId, i) => ({
        eventId,
        recipientAccountId: '111122223333',
        ...(i % 7 ? { eventTime: T0 + i * 1000 } : {}),
      }))
      .reverse();
    expect(new Set((await store.eventMatches(refs)).map((m) => m.eventId))).toEqual(new Set(ids));
    await store.replaceMatches(
      refs.slice(0, n - 1),
      ids.slice(1).map((id, i) => match('key-b', id, T0 + (i + 1) * 1000)),
    );
    const now = await store.eventMatches(refs);
    expect(now.filter((m) => m.alertKey === 'key-b')).toHaveLength(n - 1);
    expect(now.filter((m) => m.alertKey === 'key-a').map((m) => m.eventId)).toEqual(['bulk-0']);
  });

  it('keeps triage decisions through re-evaluation and removes only open alerts evaluation drops', async () => {
    await append(store, { matches: [match('key-a', 'm1', T0), match('key-b', 'm2', T0)] });
    await store.saveAlerts([alert('alert-a', 'key-a'), alert('alert-b', 'key-b')], ['key-a', 'key-b'], []);
    const acked = await store.changeAlert('alert-a', {
      at: LATER,
      actor: 'ann',
      action: 'acknowledge',
      status: 'acknowledged',
      assignee: 'ann',
    });
    expect(acked).toMatchObject({ id: 'alert-a', status: 'acknowledged', assignee: 'ann' });
    expect(await store.changeAlert('nope', { at: T0, actor: 'ann', action: 'comment' })).toBeNull();
    await store.saveAlerts([alert('alert-a', 'key-a', { count: 3 })], ['key-a', 'key-b'], ['key-a', 'key-b']);
    const after = await store.alerts({});
    expect(after.map((a) => [a.id, a.status, a.count, a.assignee])).toEqual([
      ['alert-a', 'acknowledged', 3, 'ann'],
    ]);
    await store.changeAlert('alert-a', {
      at: LATER + 10,
      actor: 'ann',
      action: 'resolve',
      status: 'resolved',
      resolution: 'benign',
    });
    expect((await store.alerts({ ids: ['alert'] }))[0]).toMatchObject({
      status: 'resolved',
      resolution: 'benign',
    });
    expect(
      (await store.alertHistory('alert-a')).map((h) => [h.action, h.fromStatus, h.toStatus, h.actor]),
    ).toEqual([
      ['created', null, 'open', 'trailwatch'],
      ['acknowledge', 'open', 'acknowledged', 'ann'],
      ['resolve', 'acknowledged', 'resolved', 'ann'],
    ]);
    expect((await store.alerts({ statuses: ['open'] })).length).toBe(0);
    expect((await store.alerts({ origins: ['BOB'], minSeverity: 'medium' })).length).toBe(1);
    expect((await store.alerts({ origins: ['alice'] })).length).toBe(0);
  });

  it('makes covered alerts pending on adding or removing a suppression, and lists suppressions', async () => {
    await append(store, {
      matches: [match('key-a', 'm1', T0), match('key-b', 'm2', T0, { ruleId: 'rule-b' })],
    });
    await store.saveAlerts(
      [alert('alert-a', 'key-a'), alert('alert-b', 'key-b', { ruleId: 'rule-b' })],
      ['key-a', 'key-b'],
      [],
    );
    const sup = {
      id: 'sup-1',
      ruleId: 'rule-a',
      match: { account: '111122223333' },
      reason: 'ci',
      author: 'ann',
      createdAt: T0,
      expiresAt: null,
    };
    await store.addSuppression(sup);
    expect(await store.suppressions()).toEqual([sup]);
    expect(await keysOf(store)).toEqual(['key-a']);
    await store.saveAlerts([alert('alert-a', 'key-a', { suppressedBy: 'sup-1' })], ['key-a'], ['key-a']);
    expect((await store.alerts({ statuses: ['suppressed'] })).map((a) => [a.id, a.suppressedBy])).toEqual([
      ['alert-a', 'sup-1'],
    ]);
    expect(await keysOf(store)).toEqual([]);
    expect(await store.removeSuppression('sup-1', T0 + 60_000)).toBe(true);
    expect(await store.removeSuppression('sup-1', T0 + 60_000)).toBe(false);
    expect(await store.suppressions()).toEqual([]);
    expect(await keysOf(store)).toEqual(['key-a']);
  });

  it('keeps each notification once, with its delivery state', async () => {
    await store.enqueue([notification('n1'), notification('n2', { nextAttemptAt: T0 + 60_000 })]);
    await store.enqueue([notification('n1', { payload: '{"n":2}' })]);
    expect((await store.dueNotifications(T0, 10)).map((i) => [i.id, i.payload])).toEqual([['n1', '{"n":1}']]);
    await store.recordDelivery('n1', {
      status: 'delivered',
      attempts: 1,
      nextAttemptAt: T0,
      error: null,
      at: T0 + 5,
    });
    await store.recordDelivery('n2', {
      status: 'dead',
      attempts: 5,
      nextAttemptAt: T0,
      error: 'HTTP 500',
      at: T0 + 6,
    });
    await store.enqueue([notification('n1')]);
    expect(await store.dueNotifications(T0 + 120_000, 10)).toEqual([]);
    expect(await store.notifications(['delivered'], 10)).toEqual([
      notification('n1', { status: 'delivered', attempts: 1, deliveredAt: T0 + 5 }),
    ]);
    expect((await store.notifications(['dead', 'pending'], 10)).map((i) => [i.id, i.lastError])).toEqual([
      ['n2', 'HTTP 500'],
    ]);
    await store.saveAlerts([alert('alert-x', 'key-x')], [], [], [notification('n3', { alertId: 'alert-x' })]);
    expect((await store.dueNotifications(T0, 10)).map((i) => i.id)).toEqual(['n3']);
  });

  it('knows where the data starts', async () => {
    expect(await store.dataStart()).toBeNull();
    await store.appendBatch({
      objects: [objectRecord('ds')],
      events: [
        event({ eventID: 'late', eventTime: '2024-05-02T00:00:00Z' }, 'ds', 0),
        event({ eventID: 'early', eventTime: '2024-04-30T00:00:00.250Z' }, 'ds', 1),
      ],
      quarantine: [],
      credentials: [],
      matches: [],
    });
    expect(await store.dataStart()).toBe(Date.parse('2024-04-30T00:00:00.250Z'));
  });
}
