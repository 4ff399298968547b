// --format ocsf on search and alerts, and the explorer's OCSF download, over a real store.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access -- OCSF objects probed as JSON */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet, openStore } from '../../src/app.js';
import { startServer } from '../../src/server/index.js';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';

const NOW = Date.parse('2024-05-01T13:00:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-ocsf-'));
const db = path.join(dir, 'store.duckdb');
const BOB = {
  type: 'IAMUser',
  principalId: 'AIDABOB',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accountId: '111122223333',
  accessKeyId: 'AKIABOB',
  userName: 'bob',
};
const lines = (text: string): Record<string, any>[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  mkdirSync(path.join(dir, 'trail'));
  const records = [
    record({
      eventID: 'login-1',
      eventTime: '2024-05-01T12:00:00Z',
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      userIdentity: BOB,
      additionalEventData: { MFAUsed: 'No' },
      responseElements: { ConsoleLogin: 'Success' },
    }),
    record({
      eventID: 'create-1',
      eventTime: '2024-05-01T12:01:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      readOnly: false,
      userIdentity: BOB,
      requestParameters: { userName: 'backup_admin' },
    }),
    record({
      eventID: 'stop-1',
      eventTime: '2024-05-01T12:02:00Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      readOnly: false,
      userIdentity: BOB,
      requestParameters: { name: 'org-trail' },
    }),
  ];
  writeFileSync(path.join(dir, 'trail', 'part.json'), JSON.stringify({ Records: records }));
  const ingested = await cli(['ingest', path.join(dir, 'trail'), '--db', db], { now: NOW, cwd: dir });
  expect(ingested.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OCSF export', () => {
  it('search --format ocsf prints one OCSF object per event, by class', async () => {
    const r = await cli(['search', '--format', 'ocsf', '--db', db], { now: NOW, cwd: dir });
    expect(r.code).toBe(0);
    const byId = new Map(lines(r.out).map((o) => [o.metadata.uid as string, o]));
    expect(byId.get('login-1')).toMatchObject({ class_uid: 3002, is_mfa: false, status: 'Success' });
    expect(byId.get('create-1')).toMatchObject({ class_uid: 3001, user: { name: 'backup_admin' } });
    expect(byId.get('stop-1')).toMatchObject({
      class_uid: 6003,
      activity_name: 'Update',
      api: { operation: 'StopLogging' },
      enrichments: [{ data: { origin: { name: 'bob' }, resolved_by: 'self' } }],
    });
  });

  it('alerts --format ocsf prints Detection Findings that point at their events', async () => {
    const r = await cli(['alerts', '--format', 'ocsf', '--rule', 'cloudtrail-logging-stopped', '--db', db], {
      now: NOW,
      cwd: dir,
    });
    const [finding] = lines(r.out);
    expect(finding).toMatchObject({
      class_uid: 2004,
      severity: 'High',
      status: 'New',
      finding_info: {
        analytic: { uid: 'cloudtrail-logging-stopped' },
        related_events: [{ uid: 'stop-1' }],
        attacks: expect.arrayContaining([{ tactic: { uid: 'TA0005' } }]) as unknown,
      },
    });
    expect((await cli(['alerts', '--format', 'xml', '--db', db], { now: NOW, cwd: dir })).code).toBe(2);
  });

  it('the API downloads events and alerts as OCSF JSON lines', async () => {
    const store = await openStore(db, () => NOW);
    const { rules } = await loadRuleSet(undefined, dir);
    const server = await startServer({ store, rules, port: 0, now: () => NOW });
    try {
      const res = await fetch(`${server.url}/api/events/export?format=ocsf&eventName=CreateUser`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/\.ocsf\.jsonl"$/);
      const body = lines(await res.text());
      expect(body).toHaveLength(1);
      expect(body[0]).toMatchObject({
        class_uid: 3001,
        activity_name: 'Create',
        metadata: { uid: 'create-1' },
      });
      const alerts = await fetch(
        `${server.url}/api/alerts/export?format=ocsf&rule=cloudtrail-logging-stopped`,
      );
      expect(alerts.headers.get('content-disposition')).toMatch(/trailwatch-alerts-.*\.ocsf\.jsonl"$/);
      const [finding] = lines(await alerts.text());
      expect(finding).toMatchObject({
        class_uid: 2004,
        finding_info: { related_events: [{ uid: 'stop-1' }] },
      });
      const plain = await fetch(`${server.url}/api/alerts/export?rule=cloudtrail-logging-stopped`);
      expect(lines(await plain.text())[0]).toMatchObject({
        ruleId: 'cloudtrail-logging-stopped',
        eventIds: ['stop-1'],
      });
      expect((await fetch(`${server.url}/api/alerts/export?format=xml`)).status).toBe(400);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
