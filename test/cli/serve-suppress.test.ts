// A suppression added through the web API: `serve` alone applies it before answering; beside
// --watch, the watcher's next evaluation does.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';
import { serve, type Served } from '../helpers/serve.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-serve-suppress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder with one trail stopped by each of two users (the built-in pack alerts on both). */
function trail(name: string): string {
  const logs = path.join(dir, name);
  mkdirSync(logs);
  const stop = (user: string, i: number) =>
    record({
      eventID: `${name}-${user}`,
      eventTime: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      userIdentity: {
        type: 'IAMUser',
        arn: `arn:aws:iam::111122223333:user/${user}`,
        accountId: '111122223333',
        userName: user,
        principalId: `AIDA${user.toUpperCase()}`,
        accessKeyId: `AKIA${user.toUpperCase()}`,
      },
    });
  writeFileSync(
    path.join(logs, 'trail.json'),
    JSON.stringify({ Records: [stop('carol', 0), stop('dave', 1)] }),
  );
  return logs;
}

interface AlertJson {
  id: string;
  ruleId: string;
  status: string;
  account: string;
  actor: { arn: string };
}

async function alertsOf(s: Served): Promise<AlertJson[]> {
  const r = await fetch(`${s.url}/api/alerts?status=open,suppressed&limit=100`);
  return ((await r.json()) as { alerts: AlertJson[] }).alerts;
}

async function suppressCarol(s: Served): Promise<{ applied: boolean; carol: AlertJson }> {
  const carol = (await alertsOf(s)).find(
    (a) => a.actor.arn.endsWith('/carol') && a.ruleId.includes('cloudtrail'),
  );
  if (!carol) throw new Error('no alert for carol');
  const r = await fetch(`${s.url}/api/suppressions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      ruleId: carol.ruleId,
      match: { account: carol.account, 'actor.arn': carol.actor.arn },
      reason: 'carol tests trails',
    }),
  });
  expect(r.status).toBe(200);
  return { applied: ((await r.json()) as { applied: boolean }).applied, carol };
}

const statusOf = async (s: Served, id: string): Promise<string | undefined> =>
  (await alertsOf(s)).find((a) => a.id === id)?.status;

it('serve alone suppresses the open alerts a new suppression covers before it answers', async () => {
  const logs = trail('alone');
  const db = path.join(dir, 'alone.duckdb');
  expect((await cli(['ingest', logs, '--db', db], { cwd: dir })).code).toBe(0);
  const s = await serve(['--db', db], dir);
  try {
    const { applied, carol } = await suppressCarol(s);
    expect(applied).toBe(true);
    expect(await statusOf(s, carol.id)).toBe('suppressed');
    // the other user's alert of the same rule stays open
    const dave = (await alertsOf(s)).filter(
      (a) => a.ruleId === carol.ruleId && a.actor.arn.endsWith('/dave'),
    );
    expect(dave.map((a) => a.status)).toEqual(['open']);
  } finally {
    expect(await s.stop()).toBe(0);
  }
});

it('serve --watch leaves it to the watcher, whose next evaluation applies it', async () => {
  const logs = trail('watched');
  const db = path.join(dir, 'watched.duckdb');
  const s = await serve(['--watch', logs, '--interval', '1s', '--db', db], dir);
  try {
    const deadline = Date.now() + 30_000;
    while (!(await alertsOf(s)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const { applied, carol } = await suppressCarol(s);
    expect(applied).toBe(false);
    while ((await statusOf(s, carol.id)) !== 'suppressed' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(s, carol.id)).toBe('suppressed');
  } finally {
    expect(await s.stop()).toBe(0);
  }
});
