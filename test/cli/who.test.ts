// `trailwatch who` and `search --origin` through the CLI, over a small role chain across accounts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { serve } from '../helpers/serve.js';
import { callBy, iamUser, ownerCopy, roleSession, stsCall } from '../helpers/identity-records.js';

const A = '111111111111';
const B = '222222222222';
const dir = mkdtempSync(path.join(tmpdir(), 'tw-who-'));
const db = path.join(dir, 'who.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alice = iamUser(A, 'alice', 'AKIAALICE');
const hop1 = stsCall('AssumeRole', alice, 'ASIAJUMP', {
  account: A,
  role: 'Jump',
  session: 'alice',
  minute: 1,
});
const jump = roleSession(A, 'Jump', 'alice', 'ASIAJUMP');
const hop2 = stsCall('AssumeRole', jump, 'ASIADEPLOY', {
  account: A,
  roleAccount: B,
  role: 'Deploy',
  session: 'x',
  minute: 2,
});
const deploy = roleSession(B, 'Deploy', 'x', 'ASIADEPLOY');
const records = [
  callBy(alice, A, 'ListUsers', 0),
  hop1,
  hop2,
  ownerCopy(hop2, A, B),
  callBy(deploy, B, 'GetObject', 10),
  callBy(deploy, B, 'PutObject', 11),
];

beforeAll(async () => {
  const file = path.join(dir, 'trail.json');
  writeFileSync(file, JSON.stringify({ Records: records }));
  expect((await cli(['ingest', file, '--db', db])).code).toBe(0);
});

describe('trailwatch who', () => {
  it('shows the origin, its role chain with the events that made each hop, and its activity', async () => {
    const r = await cli(['who', 'alice', '--db', db]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`alice  [IAMUser arn:aws:iam::${A}:user/alice, account ${A}]`);
    expect(r.out).toContain('found by: self, confidence high');
    expect(r.out).toMatch(/activity: 6 events, 2024-05-01T12:00:00Z → 2024-05-01T12:11:00Z, 0 failed/);
    expect(r.out).toContain(`accounts: ${A} (3), ${B} (3)`);
    expect(r.out).toContain('sessions (2):');
    expect(r.out).toMatch(
      new RegExp(
        `\\n {4}\\S+ AssumeRole ASIAJUMP → arn:aws:sts::${A}:assumed-role/Jump/alice \\(event ${hop1.eventID as string}`,
      ),
    );
    // the second hop is indented under the first
    expect(r.out).toMatch(
      new RegExp(
        `\\n {8}\\S+ AssumeRole ASIADEPLOY → .*Deploy/x \\(event ${hop2.eventID as string}.*; 2 events\\)`,
      ),
    );
  });

  it('finds the origin from a session key, with how it was found, as JSON lines', async () => {
    const r = await cli(['who', 'ASIADEPLOY', '--db', db, '--format', 'jsonl']);
    expect(r.code, r.err).toBe(0);
    const [p] = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(p).toMatchObject({
      origin: { name: 'alice' },
      resolvedBy: 'access-key-chain',
      confidence: 'high',
    });
    expect((p?.sessions as unknown[]).length).toBe(2);
  });

  it('exits 1 when nothing matches', async () => {
    const r = await cli(['who', 'nobody', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no identity, key or session matches nobody');
  });
});

describe('search --origin', () => {
  it('returns what the origin did directly and through every role, with the chain in jsonl', async () => {
    const r = await cli(['search', '--origin', 'alice', '--format', 'jsonl', '--db', db]);
    const events = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventName: string; actor: Record<string, unknown> });
    expect(events.map((e) => e.eventName)).toEqual([
      'PutObject',
      'GetObject',
      'AssumeRole',
      'AssumeRole',
      'AssumeRole',
      'ListUsers',
    ]);
    const put = events[0]?.actor;
    expect(put?.origin).toMatchObject({ type: 'IAMUser', name: 'alice' });
    expect((put?.chain as { accessKeyId: string }[]).map((h) => h.accessKeyId)).toEqual([
      'ASIAJUMP',
      'ASIADEPLOY',
    ]);
    expect(put?.resolvedBy).toBe('access-key-chain');
  });

  it('flags the AssumeRole whose session name hides the caller', async () => {
    const r = await cli([
      'search',
      '--event-name',
      'AssumeRole',
      '--account',
      A,
      '--format',
      'jsonl',
      '--db',
      db,
    ]);
    const checks = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sessionNameCheck: { verdict: string; sessionName: string } })
      .map((e) => [e.sessionNameCheck.sessionName, e.sessionNameCheck.verdict]);
    expect(checks).toEqual([
      ['x', 'hides-caller'],
      ['alice', 'identifies-caller'],
    ]);
  });

  it("shows the checks under the configuration's session-name policy in search and in the web API", async () => {
    // Under `email` a session must be named with an e-mail address: 'alice' no longer identifies her.
    const config = path.join(dir, 'email-policy.yml');
    writeFileSync(config, 'sessionNamePolicy: email\n');
    const verdicts = (jsonl: string): string[][] =>
      jsonl
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { sessionNameCheck: { verdict: string; sessionName: string } })
        .map((e) => [e.sessionNameCheck.sessionName, e.sessionNameCheck.verdict]);
    const search = ['search', '--event-name', 'AssumeRole', '--account', A, '--format', 'jsonl', '--db', db];
    const configured = await cli([...search, '--config', config]);
    expect(verdicts(configured.out)).toEqual([
      ['x', 'hides-caller'],
      ['alice', 'hides-caller'],
    ]);
    // the command line still decides over the configuration
    const flag = await cli([...search, '--config', config, '--session-name-policy', 'caller']);
    expect(verdicts(flag.out)).toEqual([
      ['x', 'hides-caller'],
      ['alice', 'identifies-caller'],
    ]);
    const served = await serve(['--db', db, '--config', config], dir);
    try {
      const body = (await (
        await fetch(`${served.url}/api/events?eventName=AssumeRole&account=${A}&limit=10`)
      ).json()) as { events: unknown[] };
      expect(verdicts(body.events.map((e) => JSON.stringify(e)).join('\n'))).toEqual([
        ['x', 'hides-caller'],
        ['alice', 'hides-caller'],
      ]);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
