// The Store contract: every backend runs this suite (DuckDB now, ClickHouse later).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/port.js';
import { event, objectRecord } from '../helpers/records.js';
import { stateContract } from './store-contract-state.js';

const T0 = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

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
      expect(await ids({ since: T0, until: T0 + 60_000 })).toEqual(['e2', 'e1']);
      expect(await ids({ eventNames: ['ListBuckets', 'GetObject'], regions: ['us-east-1'] })).toEqual(['e1']);
      expect(await ids({ limit: 2 })).toEqual(['e3', 'e2']);
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
