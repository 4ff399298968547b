// Test fixtures: a realistic base CloudTrail record and helpers that merge a few fields over it.
import type { CloudTrailEvent } from '../../src/domain/event.js';
import type { ObjectRecord } from '../../src/domain/ingest.js';
import type { JsonObject } from '../../src/domain/json.js';
import { normalizeRecord } from '../../src/parse/normalize.js';

export const BASE_RECORD: JsonObject = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEROLEID:alice@example.com',
    arn: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice@example.com',
    accountId: '111122223333',
    accessKeyId: 'ASIAEXAMPLEKEY000001',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID',
        arn: 'arn:aws:iam::111122223333:role/AdminRole',
        accountId: '111122223333',
        userName: 'AdminRole',
      },
      attributes: { creationDate: '2024-05-01T11:50:00Z', mfaAuthenticated: 'true' },
    },
  },
  eventTime: '2024-05-01T12:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'ListBuckets',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
  requestParameters: { Host: 's3.amazonaws.com' },
  responseElements: null,
  requestID: 'REQ0000000000001',
  eventID: '00000000-0000-4000-8000-000000000001',
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
};

/** Merges `over` onto the base record; nested objects are replaced, not merged; undefined deletes. */
export function record(over: Record<string, unknown> = {}): JsonObject {
  const out: Record<string, unknown> = { ...BASE_RECORD };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as JsonObject;
}

export function event(over: Record<string, unknown> = {}, objectId = 'obj-1', index = 0): CloudTrailEvent {
  const r = normalizeRecord(record(over), { objectId, index, keyAccount: null });
  if (!r.ok) throw new Error(`fixture does not normalize: ${r.detail}`);
  return r.event;
}

export function objectRecord(objectId: string, over: Partial<ObjectRecord> = {}): ObjectRecord {
  return {
    objectId,
    identity: `test://${objectId}`,
    uri: `/tmp/${objectId}.json`,
    size: 10,
    kind: 'events',
    records: 1,
    quarantined: 0,
    content: new Uint8Array([0x1f, 0x8b]),
    ...over,
  };
}
