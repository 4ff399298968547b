// Reading stored events back from their source objects, as matching again does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareObject } from '../../src/pipeline/prepare-object.js';
import { attachRaw, readLocated } from '../../src/pipeline/raw.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-raw-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const KEY = 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_x.json';
const plain = {
  eventVersion: '1.08',
  eventID: 'ev-plain',
  eventTime: '2024-05-01T10:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetBucketPolicy',
  awsRegion: 'us-east-1',
  recipientAccountId: '111122223333',
  userIdentity: { type: 'IAMUser', userName: 'bob', accessKeyId: 'AKIABOB', accountId: '111122223333' },
  requestParameters: { bucketName: 'plain-bucket' },
};
// As Athena exports it: every key lowercased, and no recipient (inferred from the object's key).
const lowered = {
  eventid: 'ev-lowered',
  eventtime: '2024-05-01T10:05:00Z',
  eventsource: 's3.amazonaws.com',
  eventname: 'PutBucketPolicy',
  useridentity: { type: 'IAMUser', username: 'carol', accesskeyid: 'AKIACAROL' },
  requestparameters: { bucketName: 'lowered-bucket' },
};

/** Stores one delivery file's events; their ids. */
async function storeFile(store: Store, body: string): Promise<string[]> {
  const prepared = prepareObject(
    { identity: `file:${KEY}`, uri: `/data/${KEY}`, key: KEY },
    Buffer.from(body),
  );
  await store.appendBatch({
    objects: [prepared.object],
    events: prepared.events,
    quarantine: [],
    credentials: [],
    matches: [],
  });
  return prepared.events.map((e) => e.eventId);
}

describe('reading located events back', () => {
  it('reads each located record, in CloudTrail key spelling, under the identity it is stored with', async () => {
    const store = await openDuckDbStore(path.join(root, 'db.duckdb'));
    try {
      await storeFile(store, JSON.stringify({ Records: [plain, lowered] }));
      const located = await store.locateEvents({});
      const missing = {
        eventId: 'gone',
        recipientAccountId: '1',
        eventTime: 0,
        origin: { objectId: 'pruned', index: 0 },
      };
      const items = await readLocated(store, [missing, ...located]);
      const byId = new Map(items.map((i) => [i.event.eventId, i]));
      expect([...byId.keys()].sort()).toEqual(['ev-lowered', 'ev-plain']);
      for (const stored of await store.searchEvents({})) {
        const item = byId.get(stored.eventId);
        expect(item?.event).toMatchObject({
          recipientAccountId: stored.recipientAccountId,
          eventTime: stored.eventTime,
          eventName: stored.eventName,
          actor: stored.actor,
          requestParameters: stored.requestParameters,
          origin: stored.origin,
        });
      }
      const raw = byId.get('ev-lowered')?.raw;
      expect(raw?.eventName).toBe('PutBucketPolicy');
      expect(raw?.requestParameters).toEqual({ bucketName: 'lowered-bucket' });
      expect(byId.get('ev-lowered')?.event.recipientAccountId).toBe('111122223333');
    } finally {
      await store.close();
    }
  });
  it('reads the record the event was stored from when a scan of its file would find another', async () => {
    const store = await openDuckDbStore(path.join(root, 'twice.duckdb'));
    try {
      // JSON.parse keeps the last of two "Records" keys; a scan for the list finds the first.
      const decoy = { ...plain, eventID: 'ev-decoy', requestParameters: { bucketName: 'decoy' } };
      const body = `{"Records":[${JSON.stringify(decoy)}],"Records":[${JSON.stringify(plain)}]}`;
      expect(await storeFile(store, body)).toEqual(['ev-plain']);
      const items = await readLocated(store, await store.locateEvents({}));
      expect(items.map((i) => [i.event.eventId, i.raw.requestParameters])).toEqual([
        ['ev-plain', { bucketName: 'plain-bucket' }],
      ]);
      const [whole] = await attachRaw(store, await store.searchEvents({}));
      expect(whole?.raw?.requestParameters).toEqual({ bucketName: 'plain-bucket' });
    } finally {
      await store.close();
    }
  });
});
