// Appended events read back exactly: every column, NULLs, lists and JSON text, across staging chunks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect, it } from 'vitest';
import type { Actor, CloudTrailEvent } from '../../src/domain/event.js';
import type { Json } from '../../src/domain/json.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-duckdb-append-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2024-05-01T12:00:00Z');
const ACTOR_TEXT = [
  'type',
  'arn',
  'accountId',
  'principalId',
  'userName',
  'accessKeyId',
  'sessionName',
  'sessionIssuerType',
  'sessionIssuerArn',
  'sessionIssuerUserName',
  'sessionIssuerAccountId',
  'sessionCreationDate',
  'sourceIdentity',
  'invokedBy',
  'identityProvider',
  'onBehalfOfUserId',
  'onBehalfOfIdentityStoreArn',
  'credentialId',
  'inScopeOfIssuerType',
  'inScopeOfCredentialsIssuedTo',
  'ec2RoleDelivery',
] as const;

/**
 * Field `k` of event `i`: NULL for one event in three (a different third per field), else text that
 * is short (stored inline), long, empty or not ASCII, so each column mixes every kind of value.
 */
function textOf(i: number, k: number, name: string): string | null {
  switch ((i + k) % 6) {
    case 0:
    case 3:
      return null;
    case 1:
      return `${k}-${i}`;
    case 2:
      return `${name} of event ${i}, long enough not to be stored inline`;
    case 4:
      return k % 2 ? '' : `é✓ 日本 ${i}`;
    default:
      return `${name}:${i}`;
  }
}

const flagOf = (i: number, k: number): boolean | null => [true, false, null][(i + k) % 3] ?? null;

function jsonOf(i: number, k: number): Json {
  switch ((i + k) % 4) {
    case 0:
      return null;
    case 1:
      return { name: `n${i}`, nested: { list: [1, 2.5, 'x', null, true], empty: {} }, 'ü key': -0.001 };
    case 2:
      return [`a${i}`, { b: i }];
    default:
      return { roleArn: `arn:aws:iam::111122223333:role/R${i}`, durationSeconds: 3600 };
  }
}

/** Event `i` of a batch: every field set on some events, NULL or empty on others. */
function fullEvent(i: number): CloudTrailEvent {
  const actor = Object.fromEntries(ACTOR_TEXT.map((name, k) => [name, textOf(i, k + 20, name)]));
  return {
    eventId: `event-${String(i).padStart(5, '0')}`,
    recipientAccountId: i % 2 ? '111122223333' : '444455556666',
    eventTime: T0 + i * 1001,
    eventVersion: textOf(i, 0, 'eventVersion'),
    eventSource: textOf(i, 1, 'eventSource'),
    eventName: textOf(i, 2, 'eventName'),
    eventType: textOf(i, 3, 'eventType'),
    eventCategory: textOf(i, 4, 'eventCategory'),
    awsRegion: textOf(i, 5, 'awsRegion'),
    sourceIpAddress: textOf(i, 6, 'sourceIpAddress'),
    userAgent: textOf(i, 7, 'userAgent'),
    errorCode: textOf(i, 8, 'errorCode'),
    errorMessage: textOf(i, 9, 'errorMessage'),
    readOnly: flagOf(i, 0),
    managementEvent: flagOf(i, 1),
    requestId: textOf(i, 10, 'requestId'),
    sharedEventId: textOf(i, 11, 'sharedEventId'),
    vpcEndpointId: textOf(i, 12, 'vpcEndpointId'),
    actor: { ...actor, mfaAuthenticated: flagOf(i, 2), isAssumedRoot: flagOf(i, 3) } as unknown as Actor,
    resources: Array.from({ length: i % 4 }, (_, r) => ({
      type: r === 1 ? null : `AWS::S3::Bucket${r}`,
      arn: r === 2 ? null : `arn:aws:s3:::bucket-${i}-${r}`,
      accountId: r ? '111122223333' : null,
    })),
    requestParameters: jsonOf(i, 0),
    responseElements: jsonOf(i, 1),
    additionalEventData: jsonOf(i, 2),
    serviceEventDetails: jsonOf(i, 3),
    notes: Array.from({ length: i % 3 }, (_, n) => `note-${n}`),
    origin: { objectId: `o${i % 2}`, index: i },
  };
}

it('reads back every column of appended events as they were, across several staging chunks', async () => {
  // More rows than one data chunk holds (2048), so values land on both sides of a chunk boundary.
  const events = Array.from({ length: 2500 }, (_, i) => fullEvent(i));
  const file = path.join(dir, 'store.duckdb');
  const store = await openDuckDbStore(file, () => T0);
  await store.appendBatch({
    objects: [objectRecord('o0'), objectRecord('o1')],
    events,
    quarantine: [],
    credentials: [],
    matches: [],
  });
  const found = await store.searchEvents({ limit: 5000 });
  await store.close();
  const byId = (a: CloudTrailEvent, b: CloudTrailEvent): number => (a.eventId < b.eventId ? -1 : 1);
  expect(found.sort(byId)).toEqual(events);

  // What the event read-back does not show: the list columns, and the JSON blocks as stored text.
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  const r = await conn.runAndReadAll(
    `SELECT resource_types, resource_names, resources, request_parameters, response_elements,
            additional_event_data, service_event_details FROM events ORDER BY event_id`,
  );
  conn.closeSync();
  instance.closeSync();
  const text = (v: Json): string | null => (v === null ? null : JSON.stringify(v));
  expect(r.getRowsJson()).toEqual(
    events.map((e) => [
      e.resources.flatMap((x) => (x.type ? [x.type] : [])),
      e.resources.flatMap((x) => (x.arn ? [x.arn] : [])),
      e.resources.length ? JSON.stringify(e.resources) : null,
      text(e.requestParameters),
      text(e.responseElements),
      text(e.additionalEventData),
      text(e.serviceEventDetails),
    ]),
  );
});
