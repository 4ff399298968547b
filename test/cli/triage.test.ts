// The alert workflow through the CLI: states with reasons, assignment, comments, history; suppressions as data.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-triage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = path.join(dir, 'db.duckdb');
const rules = path.join(dir, 'rules');
const NOW = Date.parse('2024-05-02T00:00:00Z');
const run = (argv: string[], now = NOW) => cli([...argv, '--db', db], { now, env: { USER: 'tester' } });

const rec = (id: string, account: string, arn: string) =>
  deepMerge(
    { ...BASE_TEST_RECORD, eventID: id, recipientAccountId: account },
    {
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      // a role session replaces the base IAM user whole
      userIdentity: arn.includes(':assumed-role/')
        ? { type: 'AssumedRole', arn, accountId: account, accessKeyId: 'ASIACIDEPLOYER000001' }
        : { arn },
    },
  );

beforeAll(async () => {
  mkdirSync(rules);
  writeFileSync(
    path.join(rules, 'sg-change.yml'),
    `id: sg-change
title: Security group changed
description: A security group rule was added.
severity: medium
status: stable
tactics: [TA0005]
runbook: Check who changed the group and whether the change was planned.
detection:
  change: { eventSource: ec2.amazonaws.com, eventName: AuthorizeSecurityGroupIngress }
  condition: change
output:
  groupBy: [recipientAccountId, userIdentity.arn]
tests:
  - { name: change, alert: true, event: { eventSource: ec2.amazonaws.com, eventName: AuthorizeSecurityGroupIngress } }
  - { name: other, alert: false, event: {} }
`,
  );
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  writeFileSync(
    path.join(logs, 'a.json'),
    JSON.stringify({
      Records: [
        rec('e1', '111111111111', 'arn:aws:iam::111111111111:user/alice'),
        rec('e2', '222222222222', 'arn:aws:sts::222222222222:assumed-role/ci-deployer/run-1'),
      ],
    }),
  );
  expect((await run(['ingest', logs, '--rules', rules])).code).toBe(0);
});

async function list(extra: string[] = []): Promise<{ id: string; status: string; account: string }[]> {
  const r = await run(['alerts', '--format', 'jsonl', '--rules', rules, ...extra]);
  return r.out.trim()
    ? r.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; status: string; account: string })
    : [];
}

describe('alert triage', () => {
  it('filters alerts by the origin identity behind them', async () => {
    expect((await list(['--origin', 'alice'])).map((a) => a.account)).toEqual(['111111111111']);
    expect(await list(['--origin', 'nobody'])).toEqual([]);
  });

  it('acknowledges, assigns, comments, resolves with a reason and reopens, keeping the history', async () => {
    const [first] = await list(['--account', '111111111111']);
    const id = first?.id ?? '';
    expect((await run(['alerts', 'ack', id.slice(0, 8), '--comment', 'looking into it'])).code).toBe(0);
    expect((await run(['alerts', 'assign', id, '--to', 'bob'])).out).toContain('assigned to bob');
    await run(['alerts', 'comment', id, '--comment', 'change ticket CHG-42']);
    const bad = await run(['alerts', 'resolve', id]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--reason');
    expect(
      (await run(['alerts', 'resolve', id, '--reason', 'benign', '--comment', 'planned'])).out,
    ).toContain('resolved (benign)');
    expect((await list(['--status', 'resolved'])).map((a) => a.id)).toEqual([id]);
    await run(['alerts', 'reopen', id]);
    const shown = await run(['alerts', 'show', id]);
    const history = shown.out.split('history:')[1] ?? '';
    expect(
      history
        .trim()
        .split('\n')
        .map((l) => l.trim().split(' ').slice(1, 3).join(' ').replace(/:$/, '')),
    ).toEqual([
      'trailwatch created',
      'tester acknowledge',
      'tester assign',
      'tester comment',
      'tester resolve',
      'tester reopen',
    ]);
    expect(shown.out).toContain('open');
    expect((await run(['alerts', 'ack', 'nope'])).err).toContain('no alert with id nope');
  });
});

describe('suppressions', () => {
  it('keeps suppressed alerts, countable, and lets them go when the suppression is removed', async () => {
    const added = await run([
      'suppress',
      'add',
      '--rule',
      'sg-change',
      '--match',
      'actor.arn|contains=:assumed-role/ci-deployer/',
      '--match',
      'account=222222222222',
      '--reason',
      'CI manages security groups',
      '--expires',
      '30d',
      '--rules',
      rules,
    ]);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/added (sup-[0-9a-f]+); it covers 1 existing alert/);
    const supId = /added (sup-[0-9a-f]+)/.exec(added.out)?.[1] ?? '';
    expect((await list()).map((a) => a.account)).toEqual(['111111111111']);
    expect((await list(['--status', 'suppressed'])).map((a) => a.account)).toEqual(['222222222222']);
    const listed = await run(['suppress', 'list', '--format', 'jsonl']);
    expect(JSON.parse(listed.out)).toMatchObject({
      id: supId,
      ruleId: 'sg-change',
      reason: 'CI manages security groups',
      author: 'tester',
    });
    expect((await run(['suppress', 'remove', supId, '--rules', rules])).code).toBe(0);
    expect((await list()).map((a) => a.account).sort()).toEqual(['111111111111', '222222222222']);
  });

  it('rejects suppressions without a reason or with unknown fields', async () => {
    expect((await run(['suppress', 'add', '--rule', 'sg-change', '--match', 'account=1'])).err).toContain(
      '--reason',
    );
    expect((await run(['suppress', 'add', '--match', 'colour=blue', '--reason', 'x'])).err).toContain(
      "unknown field 'colour'",
    );
  });

  it('stops applying once expired', async () => {
    await run([
      'suppress',
      'add',
      '--match',
      'account=111111111111',
      '--reason',
      'maintenance window',
      '--expires',
      '1h',
      '--rules',
      rules,
    ]);
    expect((await list()).map((a) => a.account)).toEqual(['222222222222']);
    // two hours later a new event re-evaluates the group: the expired suppression no longer applies
    const logs = path.join(dir, 'later');
    mkdirSync(logs);
    writeFileSync(
      path.join(logs, 'b.json'),
      JSON.stringify({ Records: [rec('e3', '111111111111', 'arn:aws:iam::111111111111:user/alice')] }),
    );
    await run(['ingest', logs, '--rules', rules], NOW + 2 * 3_600_000);
    expect((await list()).map((a) => a.account).sort()).toEqual(['111111111111', '222222222222']);
  });
});
