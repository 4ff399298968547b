// Appended rows read back exactly: every column, NULLs, lists and JSON text, across staging chunks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect, it } from 'vitest';
import type { Actor, CloudTrailEvent } from '../../src/domain/event.js';
import type { MatchRow } from '../../src/domain/alert.js';
import type { StoredCredential } from '../../src/domain/identity.js';
import { SEVERITIES } from '../../src/domain/rule.js';
import type { QuarantineEntry } from '../../src/domain/ingest.js';
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

/** Ledger row `i`: every nullable field NULL on some rows; the caller is an actor with NULLs too. */
function credentialOf(i: number): StoredCredential {
  const t = (k: number): string | null => textOf(i, k, 'credential');
  const origin = {
    type: 'IAMUser' as const,
    id: `arn:aws:iam::1:user/u${i}`,
    name: `u${i}`,
    accountId: t(8),
  };
  return {
    accessKeyId: `ASIA${i}`,
    kind: 'AssumeRole',
    issuedAt: T0 + i,
    expiresAt: i % 2 ? null : T0 + 3_600_000,
    eventId: `event-${i}`,
    recipientAccountId: '111122223333',
    sharedEventId: t(0),
    caller: fullEvent(i).actor,
    targetArn: t(1),
    roleArn: t(2),
    targetAccountId: t(3),
    sessionName: t(4),
    sourceIdentity: t(5),
    subject: t(6),
    provider: t(7),
    sourceIpAddress: t(9),
    resolution: {
      origin,
      chain: [],
      resolvedBy: 'self',
      confidence: 'high',
      pendingKey: t(10),
      detail: t(11),
    },
  };
}

function matchOf(i: number): MatchRow {
  const t = (k: number): string | null => textOf(i, k, 'match');
  return {
    ruleId: `rule-${i % 2}`,
    alertKey: `key-${i}`,
    eventId: `event-${String(i).padStart(5, '0')}`,
    recipientAccountId: i % 2 ? '111122223333' : '444455556666',
    eventTime: T0 + i * 1001,
    groupKey: `group-${i}`,
    value: t(0),
    step: t(1),
    title: `title ${i}`,
    severity: SEVERITIES[i % SEVERITIES.length] ?? 'high',
    region: t(2),
    sourceIp: t(3),
    actorArn: t(4),
    origin: { type: 'Unknown', id: `id-${i}`, name: `name ${i}`, accountId: t(5) },
  };
}

it('reads back every column of staged matches as they were, across a chunk boundary, appended and replaced', async () => {
  // More rows than one data chunk holds (2048); every nullable column is NULL or empty on some rows,
  // and some rows share their origin object with the row before, as the matches of one event do.
  const matches = Array.from({ length: 2500 }, (_, i) => matchOf(i));
  matches.forEach((m, i) => {
    const previous = matches[i - 1];
    if (previous && i % 4 === 1) m.origin = previous.origin;
  });
  const refs = matches.map((m) => ({ eventId: m.eventId, recipientAccountId: m.recipientAccountId }));
  const sorted = (rows: readonly MatchRow[]): MatchRow[] =>
    [...rows].sort((a, b) => (a.alertKey < b.alertKey ? -1 : 1));
  const file = path.join(dir, 'matches.duckdb');
  const store = await openDuckDbStore(file, () => T0);
  await store.appendBatch({ objects: [], events: [], quarantine: [], credentials: [], matches });
  expect(sorted(await store.eventMatches(refs))).toEqual(sorted(matches));

  // replaceMatches stages its rows the same way: each event's match becomes its neighbour's values.
  const replaced = refs.map((ref, i) => ({ ...matchOf(i + 1), ...ref }));
  await store.replaceMatches(refs, replaced);
  expect(sorted(await store.eventMatches(refs))).toEqual(sorted(replaced));
  await store.close();

  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  // Every row's details are stored, each only once (migration 13).
  const details = (
    await conn.runAndReadAll(
      `SELECT (SELECT count(*) FROM matches m ANTI JOIN match_details d ON d.detail_id = m.detail_id),
              (SELECT count(*) FROM match_details),
              (SELECT count(*) FROM (SELECT DISTINCT group_key, title, region, source_ip, actor_arn, origin FROM match_details))`,
    )
  ).getRowsJson();
  conn.closeSync();
  instance.closeSync();
  const distinct = new Set(
    [...matches, ...replaced].map((m) =>
      JSON.stringify([m.groupKey, m.title, m.region, m.sourceIp, m.actorArn, m.origin]),
    ),
  );
  expect(details).toEqual([['0', String(distinct.size), String(distinct.size)]]);
});

it('reads back the ledger rows, matches, objects and quarantine entries of a batch as they were', async () => {
  const file = path.join(dir, 'others.duckdb');
  const store = await openDuckDbStore(file, () => T0);
  const credentials = Array.from({ length: 6 }, (_, i) => credentialOf(i));
  const matches = Array.from({ length: 6 }, (_, i) => matchOf(i));
  const objects = [
    objectRecord('o0', { size: 5_000_000_000, records: 6, quarantined: 2 }),
    objectRecord('o1', { kind: 'digest', content: new Uint8Array([1, 2, 3, 0, 255]) }),
  ];
  const quarantine: QuarantineEntry[] = [
    { objectId: 'o0', index: 4, reason: 'not-cloudtrail', detail: 'no eventID', sample: { a: [1, 'é'] } },
    { objectId: 'o0', index: null, reason: 'bad-gzip', detail: 'not gzip', sample: null },
  ];
  const events = Array.from({ length: 6 }, (_, i) => fullEvent(i));
  await store.appendBatch({ objects, events, quarantine, credentials, matches });

  expect(await store.credentials(credentials.map((c) => c.accessKeyId))).toEqual(
    new Map(credentials.map((c) => [c.accessKeyId, c])),
  );
  const stored = await store.eventMatches(events);
  expect(stored.sort((a, b) => (a.alertKey < b.alertKey ? -1 : 1))).toEqual(matches);
  expect(await store.objects()).toEqual(
    objects.map((o) => ({
      objectId: o.objectId,
      uri: o.uri,
      kind: o.kind,
      records: o.records,
      quarantined: o.quarantined,
      ingestedAt: T0,
    })),
  );
  const contents = await store.objectContents(['o0', 'o1']);
  expect(objects.map((o) => [...(contents.get(o.objectId)?.content ?? [])])).toEqual(
    objects.map((o) => [...o.content]),
  );
  expect(await store.quarantine()).toEqual(quarantine.map((q) => ({ ...q, uri: '/tmp/o0.json' })));
  await store.close();

  // The columns copied out of the caller and the resolution, which the read-back does not show.
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  const read = async (sql: string): Promise<unknown[]> => (await conn.runAndReadAll(sql)).getRowsJson();
  const ledger = await read(
    `SELECT caller_type, caller_arn, caller_access_key_id, origin_type, origin_id, origin_name,
            origin_account_id, resolved_by, confidence, pending_key FROM credentials ORDER BY access_key_id`,
  );
  const sizes = await read('SELECT size FROM objects ORDER BY object_id');
  conn.closeSync();
  instance.closeSync();
  expect(ledger).toEqual(
    credentials.map((c) => {
      const r = c.resolution;
      return [
        c.caller.type,
        c.caller.arn,
        c.caller.accessKeyId,
        r.origin.type,
        r.origin.id,
        r.origin.name,
      ].concat([r.origin.accountId, r.resolvedBy, r.confidence, r.pendingKey]);
    }),
  );
  expect(sizes).toEqual([['5000000000'], ['10']]);
});
