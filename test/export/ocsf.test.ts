// OCSF export: class and activity per event, the common fields, findings for alerts, and the public corpus.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- OCSF objects probed as JSON */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/event.js';
import type { Json, JsonObject } from '../../src/domain/json.js';
import { alertToOcsf, type OcsfAlertInput } from '../../src/export/ocsf-alert.js';
import { eventToOcsf } from '../../src/export/ocsf-event.js';
import { normalizeRecord } from '../../src/parse/normalize.js';
import { record } from '../helpers/records.js';

const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus)
  console.warn(`SKIPPED corpus tests: ${CORPUS} is not present (it exists in development checkouts and CI)`);

function stored(raw: JsonObject, extra: Partial<StoredEvent> = {}): StoredEvent {
  const r = normalizeRecord(raw, { objectId: 'o', index: 0, keyAccount: null });
  if (!r.ok) throw new Error(r.detail);
  return { ...r.event, raw, ...extra };
}
const ocsf = (over: Record<string, unknown>, extra: Partial<StoredEvent> = {}) =>
  eventToOcsf(stored(record(over), extra)) as Record<string, any>;

const IAM_USER = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEBOB',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accountId: '111122223333',
  accessKeyId: 'AKIAEXAMPLEBOB',
  userName: 'bob',
};

/** Every value in the output is set: no nulls, no empty objects (consumers read presence as meaning). */
function hasNoEmpty(v: Json): boolean {
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0 && v.every(hasNoEmpty);
  if (typeof v === 'object') return Object.keys(v).length > 0 && Object.values(v).every(hasNoEmpty);
  return true;
}

describe('OCSF events', () => {
  it('maps an API call to API Activity 6003 with the reference fields', () => {
    const o = ocsf({
      eventName: 'GetObject',
      eventSource: 's3.amazonaws.com',
      eventID: 'ev-get-1',
      apiVersion: '2006-03-01',
      tlsDetails: { tlsVersion: 'TLSv1.3' },
      resources: [
        { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::reports/q1.csv' },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::reports', accountId: '111122223333' },
      ],
      requestParameters: { bucketName: 'reports', key: 'q1.csv' },
    });
    expect(o).toMatchObject({
      class_uid: 6003,
      class_name: 'API Activity',
      category_uid: 6,
      activity_id: 2,
      activity_name: 'Read',
      type_uid: 600302,
      severity_id: 1,
      status_id: 1,
      status: 'Success',
      time: Date.parse('2024-05-01T12:00:00Z'),
      time_dt: '2024-05-01T12:00:00.000Z',
      metadata: { version: '1.1.0', uid: 'ev-get-1', product: { name: 'Trailwatch' }, log_version: '1.09' },
      api: {
        operation: 'GetObject',
        service: { name: 's3.amazonaws.com' },
        version: '2006-03-01',
        request: { uid: 'REQ0000000000001', data: { bucketName: 'reports', key: 'q1.csv' } },
      },
      cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } },
      src_endpoint: { ip: '198.51.100.7' },
      http_request: { user_agent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64' },
      actor: {
        user: {
          uid: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice@example.com',
          uid_alt: 'AROAEXAMPLEROLEID:alice@example.com',
          name: 'alice@example.com',
          type: 'AssumedRole',
          credential_uid: 'ASIAEXAMPLEKEY000001',
          account: { uid: '111122223333' },
        },
        session: { issuer: 'arn:aws:iam::111122223333:role/AdminRole', is_mfa: true },
      },
      resources: [
        { uid: 'arn:aws:s3:::reports/q1.csv', type: 'AWS::S3::Object' },
        { uid: 'arn:aws:s3:::reports', type: 'AWS::S3::Bucket', account: { uid: '111122223333' } },
      ],
      unmapped: { readOnly: true, managementEvent: true, tlsDetails: { tlsVersion: 'TLSv1.3' } },
    });
    expect(hasNoEmpty(o)).toBe(true);
  });

  it('derives the activity from the verb, the status from the error, the endpoint from the source', () => {
    expect(ocsf({ eventName: 'RunInstances', readOnly: false }).activity_id).toBe(1);
    expect(ocsf({ eventName: 'PutBucketPolicy', readOnly: false }).activity_id).toBe(3);
    expect(ocsf({ eventName: 'DeleteBucket', readOnly: false }).type_uid).toBe(600304);
    expect(ocsf({ eventName: 'Frobnicate', readOnly: false }).activity_name).toBe('Other');
    const denied = ocsf({ eventName: 'ListBuckets', errorCode: 'AccessDenied', errorMessage: 'no' });
    expect(denied).toMatchObject({
      status_id: 2,
      status: 'Failure',
      status_code: 'AccessDenied',
      status_detail: 'no',
      api: { response: { error: 'AccessDenied', message: 'no' } },
    });
    const byService = ocsf({ sourceIPAddress: 'cloudtrail.amazonaws.com' });
    expect(byService.src_endpoint).toEqual({ domain: 'cloudtrail.amazonaws.com' });
    expect(ocsf({ sourceIPAddress: '2001:db8::7' }).src_endpoint).toEqual({ ip: '2001:db8::7' });
  });

  it('maps console sign-ins to Authentication 3002, with MFA and the sign-in result', () => {
    const login = {
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      userIdentity: IAM_USER,
      additionalEventData: { MFAUsed: 'Yes', LoginTo: 'https://console.aws.amazon.com/' },
      responseElements: { ConsoleLogin: 'Success' },
    };
    expect(ocsf(login)).toMatchObject({
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      activity_name: 'Logon',
      type_uid: 300201,
      status_id: 1,
      is_mfa: true,
      user: { name: 'bob', uid: 'arn:aws:iam::111122223333:user/bob', type: 'IAMUser' },
      unmapped: { additionalEventData: { MFAUsed: 'Yes' } },
    });
    const failed = ocsf({
      ...login,
      additionalEventData: { MFAUsed: 'No' },
      responseElements: { ConsoleLogin: 'Failure' },
      errorMessage: 'Failed authentication',
    });
    expect(failed).toMatchObject({ status_id: 2, status: 'Failure', is_mfa: false });
    const saml = ocsf({
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRoleWithSAML',
      userIdentity: {
        type: 'SAMLUser',
        principalId: 'x',
        userName: 'carol@example.com',
        identityProvider: 'okta',
      },
      requestParameters: {
        roleSessionName: 'carol@example.com',
        principalArn: 'arn:aws:iam::111122223333:saml-provider/okta',
      },
      responseElements: {
        assumedRoleUser: { arn: 'arn:aws:sts::111122223333:assumed-role/SSO/carol@example.com' },
      },
    });
    expect(saml).toMatchObject({
      class_uid: 3002,
      auth_protocol: 'SAML',
      auth_protocol_id: 5,
      user: {
        name: 'carol@example.com',
        uid: 'arn:aws:sts::111122223333:assumed-role/SSO/carol@example.com',
      },
      actor: { idp: { name: 'okta' } },
    });
    // A plain AssumeRole is an API call by a credentialed principal, not a sign-in.
    expect(ocsf({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' }).class_uid).toBe(6003);
  });

  it('maps IAM user and credential changes to Account Change 3001 with the changed user', () => {
    const iam = (eventName: string, requestParameters: JsonObject, responseElements: Json = null) =>
      ocsf({
        eventSource: 'iam.amazonaws.com',
        eventName,
        readOnly: false,
        userIdentity: IAM_USER,
        requestParameters,
        responseElements,
      });
    const created = iam(
      'CreateUser',
      { userName: 'backup_admin' },
      { user: { userName: 'backup_admin', arn: 'arn:aws:iam::111122223333:user/backup_admin' } },
    );
    expect(created).toMatchObject({
      class_uid: 3001,
      class_name: 'Account Change',
      activity_id: 1,
      type_uid: 300101,
      user: { name: 'backup_admin', uid: 'arn:aws:iam::111122223333:user/backup_admin', type: 'IAMUser' },
      actor: { user: { name: 'bob' } },
    });
    const activity = (name: string, params: JsonObject) => iam(name, params).activity_name as string;
    expect(activity('CreateAccessKey', { userName: 'backup_admin' })).toBe('Create');
    expect(
      activity('AttachUserPolicy', {
        userName: 'x',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    ).toBe('Attach Policy');
    expect(activity('DetachRolePolicy', { roleName: 'r' })).toBe('Detach Policy');
    expect(activity('UpdateAccessKey', { userName: 'x', status: 'Inactive' })).toBe('Disable');
    expect(activity('UpdateAccessKey', { userName: 'x', status: 'Active' })).toBe('Enable');
    expect(activity('UpdateLoginProfile', { userName: 'x' })).toBe('Password Reset');
    expect(activity('DeactivateMFADevice', { userName: 'x' })).toBe('MFA Factor Disable');
    expect(iam('CreateRole', { roleName: 'Deploy' }).user).toMatchObject({ name: 'Deploy', type: 'Role' });
    // Reading IAM is not a change.
    expect(iam('GetUser', { userName: 'x' }).class_uid).toBe(6003);
  });

  it('carries the resolved origin and chain as an enrichment, and Trailwatch notes as unmapped', () => {
    const origin = {
      type: 'IAMUser' as const,
      id: 'arn:aws:iam::111122223333:user/alice',
      name: 'alice',
      accountId: '111122223333',
    };
    const o = ocsf(
      { eventID: 'ev-x' },
      {
        notes: ['time-reformatted'],
        resolution: {
          origin,
          chain: [
            {
              accessKeyId: 'ASIAEXAMPLEKEY000001',
              kind: 'AssumeRole',
              arn: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice@example.com',
              roleArn: 'arn:aws:iam::111122223333:role/AdminRole',
              accountId: '111122223333',
              sessionName: 'alice@example.com',
              sourceIdentity: null,
              issuedAt: Date.parse('2024-05-01T11:50:00Z'),
              eventId: 'ev-assume',
              sourceIpAddress: '198.51.100.7',
            },
          ],
          resolvedBy: 'access-key-chain',
          confidence: 'high',
          pendingKey: null,
          detail: null,
        },
      },
    );
    expect(o.enrichments).toEqual([
      {
        name: 'actor.user.uid',
        value: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice@example.com',
        type: 'identity-origin',
        provider: 'Trailwatch',
        data: {
          origin: { type: 'IAMUser', uid: origin.id, name: 'alice', account_uid: '111122223333' },
          resolved_by: 'access-key-chain',
          confidence: 'high',
          chain: [
            {
              uid: 'arn:aws:sts::111122223333:assumed-role/AdminRole/alice@example.com',
              access_key_id: 'ASIAEXAMPLEKEY000001',
              kind: 'AssumeRole',
              role_arn: 'arn:aws:iam::111122223333:role/AdminRole',
              session_name: 'alice@example.com',
              issued_time: Date.parse('2024-05-01T11:50:00Z'),
              event_uid: 'ev-assume',
              src_ip: '198.51.100.7',
            },
          ],
        },
      },
    ]);
    expect(o.unmapped.trailwatchNotes).toEqual(['time-reformatted']);
  });
});

describe('OCSF findings', () => {
  const alert: OcsfAlertInput = {
    id: 'a1b2c3',
    ruleId: 'cloudtrail-logging-stopped',
    alertKey: 'k',
    title: 'CloudTrail logging stopped: org-trail',
    severity: 'high',
    groupKey: 'org-trail',
    firstSeen: Date.parse('2024-05-01T12:00:00Z'),
    lastSeen: Date.parse('2024-05-01T12:05:00Z'),
    count: 2,
    eventIds: ['e1', 'e2'],
    account: '111122223333',
    region: 'us-east-1',
    sourceIp: '203.0.113.9',
    actorArn: 'arn:aws:iam::111122223333:user/bob',
    origin: {
      type: 'IAMUser',
      id: 'arn:aws:iam::111122223333:user/bob',
      name: 'bob',
      accountId: '111122223333',
    },
    status: 'acknowledged',
    createdAt: Date.parse('2024-05-01T12:06:00Z'),
    updatedAt: Date.parse('2024-05-01T13:00:00Z'),
    assignee: 'dana',
    resolution: null,
    tactics: ['TA0005'],
    techniques: ['T1562.008'],
    runbook: '1. Start the trail again.',
    ruleTitle: 'CloudTrail logging stopped',
  };

  it('maps an alert to a Detection Finding 2004 with rule, ATT&CK, events and triage state', () => {
    const f = alertToOcsf(alert);
    expect(f).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 2,
      type_uid: 200402,
      severity_id: 4,
      severity: 'High',
      status_id: 2,
      status: 'In Progress',
      count: 2,
      time: alert.updatedAt,
      metadata: { uid: 'a1b2c3', version: '1.1.0' },
      finding_info: {
        uid: 'a1b2c3',
        title: alert.title,
        analytic: { uid: 'cloudtrail-logging-stopped', name: 'CloudTrail logging stopped', type_id: 1 },
        attacks: [{ technique: { uid: 'T1562.008' } }, { tactic: { uid: 'TA0005' } }],
        related_events: [{ uid: 'e1' }, { uid: 'e2' }],
        first_seen_time: alert.firstSeen,
        last_seen_time: alert.lastSeen,
      },
      cloud: { provider: 'AWS', account: { uid: '111122223333' }, region: 'us-east-1' },
      remediation: { desc: '1. Start the trail again.' },
      unmapped: { groupKey: 'org-trail', assignee: 'dana' },
    });
    expect(hasNoEmpty(f)).toBe(true);
    expect(alertToOcsf({ ...alert, status: 'open', severity: 'critical' })).toMatchObject({
      activity_id: 1,
      status_id: 1,
      severity_id: 5,
    });
    expect(alertToOcsf({ ...alert, status: 'resolved', resolution: 'benign' })).toMatchObject({
      activity_name: 'Close',
      status: 'Resolved',
      unmapped: { resolution: 'benign' },
    });
  });
});

describe.skipIf(!hasCorpus)('OCSF over the public corpus', () => {
  const records = (): JsonObject[] => {
    const docs = readFileSync(path.join(CORPUS, 'awsdocs-examples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: JsonObject }).event);
    const stratus = readdirSync(path.join(CORPUS, 'stratus'))
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => JSON.parse(readFileSync(path.join(CORPUS, 'stratus', f), 'utf8')) as JsonObject[]);
    return [...docs, ...stratus];
  };

  it('maps every record to a consistent OCSF object of one of the three classes', () => {
    const all = records();
    expect(all.length).toBeGreaterThan(300);
    const byClass = new Map<number, string[]>();
    for (const raw of all) {
      const r = normalizeRecord(raw, { objectId: 'o', index: 0, keyAccount: null });
      if (!r.ok) continue;
      const o = eventToOcsf({ ...r.event, raw }) as Record<string, any>;
      expect([3001, 3002, 6003]).toContain(o.class_uid);
      expect(o.type_uid).toBe(o.class_uid * 100 + o.activity_id);
      expect(o.category_uid).toBe(o.class_uid === 6003 ? 6 : 3);
      expect(Number.isFinite(o.time)).toBe(true);
      expect(o.metadata.uid).toBe(r.event.eventId);
      expect(o.cloud.provider).toBe('AWS');
      expect([1, 2]).toContain(o.status_id);
      expect(hasNoEmpty(o)).toBe(true);
      byClass.set(o.class_uid, [
        ...(byClass.get(o.class_uid) ?? []),
        `${r.event.eventName}:${o.activity_name}`,
      ]);
    }
    const auth = byClass.get(3002) ?? [];
    expect(auth.filter((n) => n.startsWith('ConsoleLogin:Logon')).length).toBe(
      all.filter((r) => r.eventName === 'ConsoleLogin').length,
    );
    expect(auth.length).toBeGreaterThanOrEqual(10);
    expect(byClass.get(3001)).toEqual(
      expect.arrayContaining([
        'CreateUser:Create',
        'CreateRole:Create',
        'EnableMFADevice:MFA Factor Enable',
        'AddUserToGroup:Attach Policy',
      ]),
    );
    expect((byClass.get(6003) ?? []).length).toBeGreaterThan(250);
  });

  it('reads sign-in results and MFA as the console records them', () => {
    const logins = records().filter((r) => r.eventName === 'ConsoleLogin');
    for (const raw of logins) {
      const r = normalizeRecord(raw, { objectId: 'o', index: 0, keyAccount: null });
      if (!r.ok) throw new Error(r.detail);
      const o = eventToOcsf({ ...r.event, raw }) as Record<string, any>;
      const result = (raw.responseElements as { ConsoleLogin: string }).ConsoleLogin;
      expect(o.status).toBe(result);
      const mfa = (raw.additionalEventData as { MFAUsed?: string } | undefined)?.MFAUsed;
      expect(o.is_mfa).toBe(mfa?.toLowerCase() === 'yes');
    }
  });
});
