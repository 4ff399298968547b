// The Store contract: every backend runs this suite (DuckDB now, ClickHouse later).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, MatchRow } from '../../src/domain/alert.js';
import type { JsonObject } from '../../src/domain/json.js';
import { eventToListJson } from '../../src/domain/event-json.js';
import { planLedger } from '../../src/identity/ledger.js';
import { attachIdentity } from '../../src/pipeline/identity.js';
import type { Store } from '../../src/storage/port.js';
import { event, objectRecord } from '../helpers/records.js';
import { notification, stateContract } from './store-contract-state.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const DAY = 86_400_000;
const ORIGIN = {
  type: 'IAMUser' as const,
  id: 'arn:aws:iam::111122223333:user/alice',
  name: 'alice',
  accountId: '111122223333',
};
const ALICE = {
  type: 'IAMUser',
  principalId: 'AIDAALICE',
  arn: ORIGIN.id,
  accountId: '111122223333',
  accessKeyId: 'AKIAALICE',
  userName: 'alice',
};

/** An AssumeRole at `at` by the identity using `callerKey`, issuing `issued` valid until `expires`. */
function assumeRole(id: string, at: number, caller: JsonObject, issued: string, expires: number): JsonObject {
  return {
    eventID: id,
    eventTime: iso(at),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    userIdentity: caller,
    requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/Ops', roleSessionName: issued },
    responseElements: {
      credentials: { accessKeyId: issued, sessionToken: 't', expiration: new Date(expires).toISOString() },
      assumedRoleUser: {
        arn: `arn:aws:sts::111122223333:assumed-role/Ops/${issued}`,
        assumedRoleId: 'AROAOPS:x',
      },
    },
  };
}
const session = (key: string): JsonObject => ({
  type: 'AssumedRole',
  principalId: `AROAOPS:${key}`,
  arn: `arn:aws:sts::111122223333:assumed-role/Ops/${key}`,
  accountId: '111122223333',
  accessKeyId: key,
});

function alertOf(id: string, severity: Alert['severity'], eventIds: string[], at: number): Alert {
  return {
    id,
    ruleId: 'test-rule',
    alertKey: `key-${id}`,
    title: `alert ${id}`,
    severity,
    groupKey: 'g',
    firstSeen: at,
    lastSeen: at,
    count: eventIds.length,
    eventIds,
    account: '111122223333',
    region: 'us-east-1',
    sourceIp: null,
    actorArn: ORIGIN.id,
    origin: ORIGIN,
  };
}

export function storeContract(
  name: string,
  /** Opens an empty store whose clock (ingest times) is `now`. */
  open: (now: () => number) => Promise<{ store: Store; reopen: () => Promise<Store> }>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let reopen: () => Promise<Store>;
    let clock = T0;
    beforeEach(async () => {
      clock = T0 + 3_600_000;
      ({ store, reopen } = await open(() => clock));
    });
    afterEach(async () => {
      await store.close();
    });

    const seed = async (): Promise<void> => {
      await store.appendBatch({
        objects: [objectRecord('o1', { records: 4 })],
        events: [
          event({ eventID: 'e1', eventTime: iso(T0), eventName: 'ListBuckets' }, 'o1', 0),
          event(
            {
              eventID: 'e2',
              eventTime: iso(T0 + 60_000),
              eventName: 'CreateUser',
              eventSource: 'iam.amazonaws.com',
              readOnly: false,
              userIdentity: {
                type: 'IAMUser',
                userName: 'bob',
                accessKeyId: 'AKIABOB',
                accountId: '111122223333',
                arn: 'arn:aws:iam::111122223333:user/bob',
              },
              requestParameters: { userName: 'backup_admin%' },
            },
            'o1',
            1,
          ),
          event(
            {
              eventID: 'e3',
              eventTime: iso(T0 + 120_000),
              eventName: 'GetObject',
              eventCategory: 'Data',
              awsRegion: 'eu-west-1',
              recipientAccountId: '444455556666',
              sourceIPAddress: '203.0.113.9',
              errorCode: 'AccessDenied',
              resources: [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::secret-bucket/report.csv' }],
            },
            'o1',
            2,
          ),
          event(
            {
              eventID: 'e4',
              eventTime: iso(T0 - 86_400_000),
              eventName: 'Decrypt',
              eventSource: 'kms.amazonaws.com',
            },
            'o1',
            3,
          ),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
    };
    const ids = async (q: Parameters<Store['searchEvents']>[0]): Promise<string[]> =>
      (await store.searchEvents(q)).map((e) => e.eventId);

    it('stores events and returns them newest first', async () => {
      await seed();
      expect(await ids({})).toEqual(['e3', 'e2', 'e1', 'e4']);
      const [first] = await store.searchEvents({ eventIds: ['e2'] });
      expect(first?.actor.userName).toBe('bob');
      expect(first?.requestParameters).toEqual({ userName: 'backup_admin%' });
      expect(first?.eventTime).toBe(T0 + 60_000);
      expect(first?.origin).toEqual({ objectId: 'o1', index: 1 });
    });

    it('filters by each lookup attribute and combines filters', async () => {
      await seed();
      expect(await ids({ eventNames: ['createuser'] })).toEqual(['e2']);
      expect(await ids({ eventSources: ['kms.amazonaws.com'] })).toEqual(['e4']);
      expect(await ids({ readOnly: false })).toEqual(['e2']);
      expect(await ids({ userNames: ['BOB'] })).toEqual(['e2']);
      expect(await ids({ userNames: ['alice@example.com'] })).toEqual(['e3', 'e1', 'e4']);
      expect(await ids({ userNames: ['AdminRole'] })).toEqual(['e3', 'e1', 'e4']);
      expect(await ids({ accessKeyIds: ['AKIABOB'] })).toEqual(['e2']);
      expect(await ids({ resourceTypes: ['AWS::S3::Object'] })).toEqual(['e3']);
      expect(await ids({ resourceNames: ['report.csv'] })).toEqual(['e3']);
      expect(await ids({ resourceNames: ['arn:aws:s3:::secret-bucket/report.csv'] })).toEqual(['e3']);
      expect(await ids({ accounts: ['444455556666'] })).toEqual(['e3']);
      expect(await ids({ regions: ['eu-west-1'] })).toEqual(['e3']);
      expect(await ids({ sourceIps: ['203.0.113.9'] })).toEqual(['e3']);
      expect(await ids({ errorCodes: ['AccessDenied'] })).toEqual(['e3']);
      expect(await ids({ outcome: 'failure' })).toEqual(['e3']);
      expect(await ids({ outcome: 'success' })).toEqual(['e2', 'e1', 'e4']);
      expect(await ids({ identityTypes: ['iamuser'] })).toEqual(['e2']);
      expect(await ids({ eventCategories: ['data'] })).toEqual(['e3']);
      expect(await ids({ eventCategories: ['Insight'] })).toEqual([]);
      expect(await ids({ since: T0, until: T0 + 60_000 })).toEqual(['e2', 'e1']);
      expect(await ids({ eventNames: ['ListBuckets', 'GetObject'], regions: ['us-east-1'] })).toEqual(['e1']);
      expect(await ids({ limit: 2 })).toEqual(['e3', 'e2']);
    });

    it('filters by user, session or issuer name exactly, whatever characters the names hold', async () => {
      const odd = (id: string, index: number, userIdentity: Record<string, unknown>) =>
        event({ eventID: id, eventTime: iso(T0 + index * 1000), userIdentity }, 'odd', index);
      await store.appendBatch({
        objects: [objectRecord('odd', { records: 4 })],
        events: [
          // Names no IAM API allows, as a forged or broken record may carry them.
          odd('n1', 0, { type: 'IAMUser', userName: 'x\u001fbob' }),
          odd('n2', 1, { type: 'IAMUser', userName: 'eve\u001e1' }),
          odd('n3', 2, { type: 'IAMUser', userName: '', accountId: '111122223333' }),
          odd('n4', 3, { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      expect(await ids({ userNames: ['x\u001fBob'] })).toEqual(['n1']);
      expect(await ids({ userNames: ['bob'] })).toEqual([]);
      expect(await ids({ userNames: ['x'] })).toEqual([]);
      expect(await ids({ userNames: ['eve\u001e1'] })).toEqual(['n2']);
      expect(await ids({ userNames: ['eve\u001f'] })).toEqual([]);
      // An empty name is stored as none: no event has it, nor do events without names.
      expect(await ids({ userNames: [''] })).toEqual([]);
      expect(await ids({ userNames: ['ec2.amazonaws.com'] })).toEqual([]);
      expect(await ids({ userNames: ['x\u001fbob', 'EVE\u001e1'] })).toEqual(['n2', 'n1']);
    });

    it('locates every event a query matches, with its source record, whatever its limit and cursor', async () => {
      await seed();
      const located = async (q: Parameters<Store['locateEvents']>[0]) =>
        (await store.locateEvents(q)).sort((a, b) => a.eventTime - b.eventTime);
      expect(await located({ accessKeyIds: ['AKIABOB'] })).toEqual([
        {
          eventId: 'e2',
          recipientAccountId: '111122223333',
          eventTime: T0 + 60_000,
          origin: { objectId: 'o1', index: 1 },
        },
      ]);
      const all = await located({ limit: 1, before: { time: T0, eventId: 'e1' } });
      expect(all.map((l) => [l.eventId, l.origin.index])).toEqual([
        ['e4', 3],
        ['e1', 0],
        ['e2', 1],
        ['e3', 2],
      ]);
      expect(all[3]?.recipientAccountId).toBe('444455556666');
      expect(
        (await located({ since: T0, until: T0 + 60_000, outcome: 'success' })).map((l) => l.eventId),
      ).toEqual(['e1', 'e2']);
    });

    it('summarizes the events a query matches: counts, time span and top values', async () => {
      await seed();
      const all = await store.summarizeEvents({}, ['recipientAccountId', 'errorCode', 'eventSource'], 2);
      expect(all).toMatchObject({ count: 4, firstSeen: T0 - 86_400_000, lastSeen: T0 + 120_000, errors: 1 });
      expect(all.facets.recipientAccountId).toEqual([
        { value: '111122223333', count: 3 },
        { value: '444455556666', count: 1 },
      ]);
      expect(all.facets.errorCode).toEqual([
        { value: null, count: 3 },
        { value: 'AccessDenied', count: 1 },
      ]);
      expect(all.facets.eventSource).toHaveLength(2);
      const categories = await store.summarizeEvents({}, ['eventCategory']);
      expect(categories.facets.eventCategory).toEqual([
        { value: 'Management', count: 3 },
        { value: 'Data', count: 1 },
      ]);
      const none = await store.summarizeEvents({ eventNames: ['Nothing'] }, ['awsRegion']);
      expect(none).toEqual({
        count: 0,
        firstSeen: null,
        lastSeen: null,
        errors: 0,
        facets: { awsRegion: [] },
      });
    });

    it('free text matches anywhere, literally', async () => {
      await seed();
      expect(await ids({ text: 'BACKUP_ADMIN%' })).toEqual(['e2']);
      expect(await ids({ text: 'secret-bucket' })).toEqual(['e3']);
      expect(await ids({ text: '_admin_' })).toEqual([]);
      expect(await ids({ text: "'; DROP TABLE events; --" })).toEqual([]);
      expect(await ids({})).toHaveLength(4);
    });

    it('skips duplicates within a batch and across batches', async () => {
      await seed();
      const again = await store.appendBatch({
        objects: [objectRecord('o2')],
        events: [
          event({ eventID: 'e1', eventTime: iso(T0) }, 'o2', 0),
          event({ eventID: 'e5', eventTime: iso(T0 + 5) }, 'o2', 1),
          event({ eventID: 'e5', eventTime: iso(T0 + 5) }, 'o2', 2),
          // the same eventID in another account is another event (cross-account copies)
          event({ eventID: 'e1', eventTime: iso(T0), recipientAccountId: '999988887777' }, 'o2', 3),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      expect(again).toEqual({ stored: 2, duplicates: 2, conflicts: 0 });
      expect((await ids({})).sort()).toEqual(['e1', 'e1', 'e2', 'e3', 'e4', 'e5']);
    });

    it('serves callers at the same time, each write its own transaction (serve --watch shares a store)', async () => {
      const batch = (o: string, n: number) => ({
        objects: [objectRecord(o)],
        events: Array.from({ length: n }, (_, i) =>
          event({ eventID: `${o}-${i}`, eventTime: iso(T0 + i) }, o, i),
        ),
        quarantine: [],
        credentials: [],
        matches: [],
      });
      const outbox = (id: string) => notification(id, { alertId: 'a1', destination: 'hook', payload: '{}' });
      const results = await Promise.all([
        store.appendBatch(batch('c1', 2000)),
        store.enqueue([outbox('n1')]),
        store.searchEvents({ limit: 5 }),
        store.appendBatch(batch('c2', 2000)),
        store.enqueue([outbox('n2')]),
        store.summarizeEvents({}, ['eventName']),
      ]);
      expect(results[0]).toMatchObject({ stored: 2000 });
      expect(results[3]).toMatchObject({ stored: 2000 });
      expect((await store.stats()).events).toBe(4000);
      expect((await store.dueNotifications(T0, 10)).map((n) => n.id).sort()).toEqual(['n1', 'n2']);
    });

    it('quarantines a record that reuses a stored event id with other content', async () => {
      await seed();
      const result = await store.appendBatch({
        objects: [objectRecord('o3')],
        events: [
          event({ eventID: 'e1', eventTime: iso(T0), eventName: 'DeleteBucket' }, 'o3', 0),
          event({ eventID: 'e6', eventTime: iso(T0) }, 'o3', 1),
          event({ eventID: 'e6', eventTime: iso(T0), sourceIPAddress: '192.0.2.1' }, 'o3', 2),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      expect(result).toEqual({ stored: 1, duplicates: 0, conflicts: 2 });
      const q = (await store.quarantine()).map((e) => [e.objectId, e.index, e.reason]);
      expect(q.sort()).toEqual([
        ['o3', 0, 'conflicting-event-id'],
        ['o3', 2, 'conflicting-event-id'],
      ]);
      expect((await store.searchEvents({ eventIds: ['e1'] }))[0]?.eventName).toBe('ListBuckets');
    });

    it('records checkpoints, contents and quarantine with the batch', async () => {
      const content = new Uint8Array([0x1f, 0x8b, 1, 2, 3]);
      await store.appendBatch({
        objects: [
          objectRecord('o9', { identity: 'file:///x#1:2', content, quarantined: 1, kind: 'invalid' }),
        ],
        events: [],
        quarantine: [
          { objectId: 'o9', index: null, reason: 'not-json', detail: 'not JSON', sample: 'hello' },
        ],
        credentials: [],
        matches: [],
      });
      expect(await store.storedObjects(['file:///x#1:2', 'file:///y#1:2'])).toEqual(
        new Set(['file:///x#1:2']),
      );
      const contents = await store.objectContents(['o9', 'missing']);
      expect([...contents.keys()]).toEqual(['o9']);
      expect(Array.from(contents.get('o9')?.content ?? [])).toEqual(Array.from(content));
      const q = await store.quarantine();
      expect(q).toEqual([
        {
          objectId: 'o9',
          index: null,
          reason: 'not-json',
          detail: 'not JSON',
          sample: 'hello',
          uri: '/tmp/o9.json',
        },
      ]);
      expect((await store.objects()).map((o) => [o.objectId, o.kind])).toEqual([['o9', 'invalid']]);
    });

    it('lists events with what a table shows and attribution reads, as the whole events have it', async () => {
      const onBehalf = {
        type: 'IdentityCenterUser',
        accountId: '111122223333',
        onBehalfOf: {
          userId: 'u-1',
          identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-1',
        },
        credentialId: 'cred-1',
      };
      const withMfa = {
        ...session('ASIAMFA'),
        sessionContext: {
          attributes: { creationDate: iso(T0), mfaAuthenticated: 'true' },
          sourceIdentity: 'carol',
          sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/Ops', userName: 'Ops' },
        },
      };
      const records = [
        assumeRole('l1', T0, ALICE, 'ASIAONE', T0 + DAY),
        { ...assumeRole('l2', T0 + 1_000, ALICE, 'ASIATWO', T0 + DAY), errorCode: 'AccessDenied' },
        {
          eventID: 'l3',
          eventTime: iso(T0 + 2_000),
          userIdentity: session('ASIAONE'),
          eventName: 'PutBucketPolicy',
          eventSource: 's3.amazonaws.com',
          requestParameters: { bucketName: 'exports' },
          responseElements: { ok: true },
        },
        {
          eventID: 'l4',
          eventTime: iso(T0 + 3_000),
          userIdentity: withMfa,
          resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:111122223333:key/k1' }],
        },
        {
          eventID: 'l5',
          eventTime: iso(T0 + 4_000),
          userIdentity: onBehalf,
          userAgent: 'aws-cli/2',
          additionalEventData: { x: 1 },
        },
      ];
      // The role owner's copy of l1's call: only its response names the key, and so the caller.
      const ownerCopy = {
        ...assumeRole(
          'l6',
          T0 + 5_000,
          { type: 'AWSAccount', accountId: '999988887777' },
          'ASIAONE',
          T0 + DAY,
        ),
        recipientAccountId: '444455556666',
      };
      records.push(ownerCopy);
      const events = records.map((r, i) => event(r, 'o1', i));
      await store.appendBatch({
        objects: [objectRecord('o1', { records: records.length })],
        events,
        quarantine: [],
        credentials: await planLedger(events, store).then((p) => p.rows),
        matches: [],
      });
      const full = await attachIdentity(store, await store.searchEvents({ limit: 10 }));
      const list = await attachIdentity(store, await store.searchEvents({ limit: 10 }, 'list'));
      expect(list.map((e) => e.eventId)).toEqual(['l6', 'l5', 'l4', 'l3', 'l2', 'l1']);
      expect(list[0]?.resolution.origin.name).toBe('alice');
      expect(list.map(eventToListJson)).toEqual(full.map(eventToListJson));
      list.forEach((e, i) => {
        const whole = full[i];
        expect(e.actor, e.eventId).toEqual(whole?.actor);
        expect(e.requestParameters, e.eventId).toEqual(whole?.requestParameters);
        expect(e.resources.map((r) => r.arn)).toEqual(whole?.resources.map((r) => r.arn));
        expect(e.resolution).toEqual(whole?.resolution);
      });
      // The issued key's session resolves to alice through the AssumeRole's response.
      expect(list.find((e) => e.eventId === 'l1')?.responseElements).toEqual(
        full.find((e) => e.eventId === 'l1')?.responseElements,
      );
      expect(list.find((e) => e.eventId === 'l3')?.resolution.origin.name).toBe('alice');
      // Pages continue the same way in either view.
      const older = { limit: 2, before: { time: T0 + 2_000, eventId: 'l3', account: '111122223333' } };
      expect((await store.searchEvents(older, 'list')).map((e) => e.eventId)).toEqual(['l2', 'l1']);
    });

    it('finds related events by exact requestID and sharedEventID', async () => {
      await store.appendBatch({
        objects: [objectRecord('o1', { records: 4 })],
        events: [
          event({ eventID: 'r1', eventTime: iso(T0), requestID: 'REQ-A', sharedEventID: 'SH-1' }, 'o1', 0),
          event({ eventID: 'r2', eventTime: iso(T0 + 1), requestID: 'REQ-A' }, 'o1', 1),
          event(
            { eventID: 'r3', eventTime: iso(T0 + 2), requestID: 'REQ-AB', sharedEventID: 'SH-1' },
            'o1',
            2,
          ),
          event(
            { eventID: 'r4', eventTime: iso(T0 + 3), requestID: 'req-a', sharedEventID: 'SH-2' },
            'o1',
            3,
          ),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      expect(await ids({ requestIds: ['REQ-A'] })).toEqual(['r2', 'r1']);
      expect(await ids({ requestIds: ['REQ-A', 'req-a'] })).toEqual(['r4', 'r2', 'r1']);
      expect(await ids({ sharedEventIds: ['SH-1'] })).toEqual(['r3', 'r1']);
      expect(await ids({ sharedEventIds: ['SH'] })).toEqual([]);
      expect(await ids({ requestIds: ['REQ-A'], sharedEventIds: ['SH-1'] })).toEqual(['r1']);
    });

    it('pages by a (time, eventId) cursor, ties on time broken by event id', async () => {
      await store.appendBatch({
        objects: [objectRecord('o1', { records: 5 })],
        events: ['a', 'b', 'c', 'd', 'e'].map((id, i) =>
          event({ eventID: id, eventTime: iso(i < 3 ? T0 : T0 - 1000 * i) }, 'o1', i),
        ),
        quarantine: [],
        credentials: [],
        matches: [],
      });
      const all = await ids({});
      expect(all).toEqual(['c', 'b', 'a', 'd', 'e']);
      expect(await ids({ before: { time: T0, eventId: 'b' } })).toEqual(['a', 'd', 'e']);
      expect(await ids({ before: { time: T0, eventId: 'b' }, limit: 2 })).toEqual(['a', 'd']);
      expect(await ids({ before: { time: T0 - 3000, eventId: 'd' } })).toEqual(['e']);
      expect(await ids({ before: { time: T0 - 4000, eventId: 'e' } })).toEqual([]);
      expect(await ids({ before: { time: T0 + 1, eventId: '' }, eventNames: ['ListBuckets'] })).toEqual(all);
    });

    it('counts events and errors per time bucket in one histogram, empty buckets included', async () => {
      await seed();
      // e1 at T0, e2 at T0+60s, e3 (an error) at T0+120s; buckets of 60 s from T0-60s
      const all = await store.histogram({}, T0 - 60_000, 60_000, 5);
      expect(all).toEqual([
        { start: T0 - 60_000, count: 0, errors: 0 },
        { start: T0, count: 1, errors: 0 },
        { start: T0 + 60_000, count: 1, errors: 0 },
        { start: T0 + 120_000, count: 1, errors: 1 },
        { start: T0 + 180_000, count: 0, errors: 0 },
      ]);
      // filters apply; the query's own time bounds narrow the buckets' span
      expect((await store.histogram({ outcome: 'failure' }, T0, 60_000, 3)).map((b) => b.count)).toEqual([
        0, 0, 1,
      ]);
      expect((await store.histogram({ until: T0 + 60_000 }, T0, 60_000, 3)).map((b) => b.count)).toEqual([
        1, 1, 0,
      ]);
      // a bucket ends 1 ms before the next begins; events past the last bucket are not counted
      expect((await store.histogram({}, T0 + 1, 60_000, 2)).map((b) => b.count)).toEqual([1, 1]);
      expect(await store.histogram({}, T0, 60_000, 0)).toEqual([]);
    });

    it('draws the timeline over the span of the matching events, or the asked one', async () => {
      await seed();
      const bucketsOf = (start: number, width: number, ...counts: [number, number][]) =>
        counts.map(([count, errors], i) => ({ start: start + i * width, count, errors }));
      // e4 a day before T0; e1, e2 and e3 (the error) at T0, +60 s, +120 s
      const lo = T0 - 86_400_000;
      const width = Math.ceil((T0 + 120_000 - lo + 1) / 4);
      expect(await store.timeline({}, 4)).toEqual({
        count: 4,
        start: lo,
        end: T0 + 120_000,
        bucketMs: width,
        buckets: bucketsOf(lo, width, [1, 0], [0, 0], [0, 0], [3, 1]),
      });
      expect(await store.timeline({ since: T0, until: T0 + 179_999, outcome: 'failure' }, 3)).toEqual({
        count: 1,
        start: T0,
        end: T0 + 179_999,
        bucketMs: 60_000,
        buckets: bucketsOf(T0, 60_000, [0, 0], [0, 0], [1, 1]),
      });
      // from the asked start to the last matching event: 120,001 ms in two buckets
      expect(await store.timeline({ since: T0 }, 2)).toEqual({
        count: 3,
        start: T0,
        end: T0 + 120_000,
        bucketMs: 60_001,
        buckets: bucketsOf(T0, 60_001, [2, 0], [1, 1]),
      });
      expect(await store.timeline({ text: 'backup_admin%' }, 60)).toMatchObject({
        count: 1,
        start: T0 + 60_000,
        end: T0 + 60_000,
        bucketMs: 1,
      });
      expect(await store.timeline({ eventNames: ['Nothing'] }, 10)).toEqual({
        count: 0,
        start: null,
        end: null,
        bucketMs: 0,
        buckets: [],
      });
    });

    it('pages through copies of one event id in two accounts without skipping either', async () => {
      await store.appendBatch({
        objects: [objectRecord('o1', { records: 3 })],
        events: [
          event({ eventID: 'x', eventTime: iso(T0), recipientAccountId: '111111111111' }, 'o1', 0),
          event({ eventID: 'x', eventTime: iso(T0), recipientAccountId: '222222222222' }, 'o1', 1),
          event({ eventID: 'w', eventTime: iso(T0), recipientAccountId: '111111111111' }, 'o1', 2),
        ],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      const seen: string[] = [];
      let before: { time: number; eventId: string; account: string } | undefined;
      for (;;) {
        const [e] = await store.searchEvents(before ? { before, limit: 1 } : { limit: 1 });
        if (!e) break;
        seen.push(`${e.eventId}@${e.recipientAccountId}`);
        before = { time: e.eventTime, eventId: e.eventId, account: e.recipientAccountId };
      }
      expect(seen).toEqual(['x@222222222222', 'x@111111111111', 'w@111111111111']);
    });

    it('reports per account the newest event and the last ingest of its events', async () => {
      expect(await store.freshness()).toEqual([]);
      await seed(); // at clock T0+1h: o1 holds e1..e4 of 111122223333 and e3 of 444455556666
      clock = T0 + 7_200_000;
      await store.appendBatch({
        objects: [objectRecord('o2')],
        events: [event({ eventID: 'old', eventTime: iso(T0 - 5000) }, 'o2', 0)],
        quarantine: [],
        credentials: [],
        matches: [],
      });
      expect(await store.freshness()).toEqual([
        { account: '111122223333', newestEvent: T0 + 60_000, lastIngest: T0 + 7_200_000 },
        { account: '444455556666', newestEvent: T0 + 120_000, lastIngest: T0 + 3_600_000 },
      ]);
    });

    it('counts quarantine by reason, alerts by severity and status, outbox by status', async () => {
      expect(await store.operationalCounts()).toEqual({
        quarantineByReason: {},
        alerts: [],
        outboxByStatus: {},
      });
      await store.appendBatch({
        objects: [objectRecord('q1', { kind: 'invalid' })],
        events: [],
        quarantine: [
          { objectId: 'q1', index: null, reason: 'not-json', detail: 'x', sample: null },
          { objectId: 'q1', index: 1, reason: 'missing-event-time', detail: 'x', sample: null },
          { objectId: 'q1', index: 2, reason: 'missing-event-time', detail: 'x', sample: null },
        ],
        credentials: [],
        matches: [],
      });
      const item = (id: string, alertId: string) =>
        notification(id, { alertId, destination: 'd', payload: '{}' });
      await store.saveAlerts(
        [
          alertOf('a1', 'high', ['e1'], T0),
          alertOf('a2', 'high', ['e2'], T0),
          alertOf('a3', 'low', ['e3'], T0),
        ],
        [],
        [],
        [item('n1', 'a1'), item('n2', 'a2')],
      );
      await store.changeAlert('a2', { at: T0, actor: 't', action: 'acknowledge', status: 'acknowledged' });
      await store.recordDelivery('n1', {
        status: 'dead',
        attempts: 8,
        nextAttemptAt: T0,
        error: 'x',
        at: T0,
      });
      const counts = await store.operationalCounts();
      expect(counts.quarantineByReason).toEqual({ 'not-json': 1, 'missing-event-time': 2 });
      expect(
        [...counts.alerts].sort((a, b) => (a.severity + a.status).localeCompare(b.severity + b.status)),
      ).toEqual([
        { severity: 'high', status: 'acknowledged', count: 1 },
        { severity: 'high', status: 'open', count: 1 },
        { severity: 'low', status: 'open', count: 1 },
      ]);
      expect(counts.outboxByStatus).toEqual({ pending: 1, dead: 1 });
    });

    it('prunes events before a time in bulk, keeping alerts, needed ledger rows and checkpoints', async () => {
      const cutoff = T0 - 400 * DAY;
      const old = T0 - 500 * DAY;
      const edge = cutoff - 30 * 60_000;
      const records: [string, JsonObject[]][] = [
        [
          'old',
          [
            // alice mints ASIAOLD (expired long before the cutoff) and uses it.
            assumeRole('old-1', old, ALICE, 'ASIAOLD', old + 3_600_000),
            { eventID: 'old-2', eventTime: iso(old + 60_000), userIdentity: session('ASIAOLD') },
            // ASIAPARENT expires before the cutoff, but the session it minted (ASIACHILD) lives past it.
            assumeRole('old-3', edge, ALICE, 'ASIAPARENT', cutoff - 60_000),
            assumeRole('old-4', edge + 60_000, session('ASIAPARENT'), 'ASIACHILD', cutoff + 3_600_000),
          ],
        ],
        [
          'mixed',
          [
            { eventID: 'mixed-old', eventTime: iso(T0 - 450 * DAY) },
            { eventID: 'mixed-new', eventTime: iso(cutoff + 60_000), userIdentity: session('ASIACHILD') },
          ],
        ],
        [
          'new',
          [
            assumeRole('new-1', T0, ALICE, 'ASIANEW', T0 + 3_600_000),
            { eventID: 'new-2', eventTime: iso(T0) },
          ],
        ],
      ];
      for (const [objectId, recs] of records) {
        const events = recs.map((r, i) => event(r, objectId, i));
        const ledger = await planLedger(events, store);
        await store.appendBatch({
          objects: [objectRecord(objectId, { identity: `test://${objectId}`, records: recs.length })],
          events,
          quarantine: [],
          credentials: ledger.rows,
          matches: [],
        });
      }
      const match: MatchRow = {
        ruleId: 'test-rule',
        alertKey: 'key-old-alert',
        eventId: 'old-1',
        recipientAccountId: '111122223333',
        eventTime: old,
        groupKey: 'g',
        value: null,
        step: null,
        title: 'old alert',
        severity: 'high',
        region: null,
        sourceIp: null,
        actorArn: ORIGIN.id,
        origin: ORIGIN,
      };
      await store.appendBatch({ objects: [], events: [], quarantine: [], credentials: [], matches: [match] });
      await store.saveAlerts([alertOf('old-alert', 'high', ['old-1', 'old-2'], old)], ['key-old-alert'], []);
      const before = await store.stats();
      const keys = ['ASIAOLD', 'ASIAPARENT', 'ASIACHILD', 'ASIANEW'];

      const dry = await store.pruneEventsBefore(cutoff, { dryRun: true });
      expect(dry).toEqual({ events: 5, credentials: 1, objectsEmptied: 1 });
      expect(await store.stats()).toEqual(before);
      expect([...(await store.credentials(keys)).keys()].sort()).toEqual([...keys].sort());

      expect(await store.pruneEventsBefore(cutoff)).toEqual(dry);
      expect(await ids({ limit: 100 })).toEqual(['new-2', 'new-1', 'mixed-new']);
      expect([...(await store.credentials(keys)).keys()].sort()).toEqual([
        'ASIACHILD',
        'ASIANEW',
        'ASIAPARENT',
      ]);
      // Checkpoints stay, so the old object is never read again; only its content (raw records) is gone.
      expect(await store.storedObjects(['test://old', 'test://mixed'])).toEqual(
        new Set(['test://old', 'test://mixed']),
      );
      const contents = await store.objectContents(['old', 'mixed']);
      expect(contents.get('old')?.content.length).toBe(0);
      expect(contents.get('mixed')?.content.length).toBeGreaterThan(0);
      const [kept] = await store.alerts({ ids: ['old-alert'], statuses: ['open'] });
      expect(kept?.eventIds).toEqual(['old-1', 'old-2']);
      expect((await store.keySummaries(['key-old-alert'])).get('key-old-alert')?.count).toBe(1);
      expect(await store.pruneEventsBefore(cutoff)).toEqual({ events: 0, credentials: 0, objectsEmptied: 0 });
    });

    it('prunes beside a concurrent triage change without either disturbing the other', async () => {
      await seed();
      await store.saveAlerts([alertOf('t1', 'medium', ['e2'], T0)], [], []);
      const [pruned, acked] = await Promise.all([
        store.pruneEventsBefore(T0),
        store.changeAlert('t1', { at: T0, actor: 't', action: 'acknowledge', status: 'acknowledged' }),
      ]);
      expect(pruned.events).toBe(1);
      expect(acked?.status).toBe('acknowledged');
      expect(await ids({ limit: 10 })).toEqual(['e3', 'e2', 'e1']);
      expect((await store.alerts({ statuses: ['acknowledged'], limit: 10 })).map((a) => a.id)).toEqual([
        't1',
      ]);
    });

    it('keeps everything across a reopen', async () => {
      await seed();
      await store.close();
      store = await reopen();
      const stats = await store.stats();
      expect(stats).toMatchObject({ events: 4, objects: 1, quarantined: 0 });
      expect(stats.newestEventTime).toBe(T0 + 120_000);
      expect(stats.oldestEventTime).toBe(T0 - 86_400_000);
      expect(await store.storedObjects(['test://o1'])).toEqual(new Set(['test://o1']));
    });

    stateContract(() => store);
  });
}
