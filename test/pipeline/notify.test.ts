// Notifications end to end: a real HTTP receiver on 127.0.0.1, an outage, and a dispatcher killed mid-delivery.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { cli } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-notify-'));

interface Receiver {
  url: string;
  /** Requests that were answered 2xx, by X-Trailwatch-Id. */
  accepted: Map<string, number>;
  requests: number;
  status: number;
  delayMs: number;
  server: Server;
}

async function receiver(): Promise<Receiver> {
  const r = { accepted: new Map<string, number>(), requests: 0, status: 200, delayMs: 0 } as Omit<
    Receiver,
    'url' | 'server'
  >;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      r.requests++;
      const id = String(req.headers['x-trailwatch-id'] ?? '');
      setTimeout(() => {
        if (r.status < 300) r.accepted.set(id, (r.accepted.get(id) ?? 0) + 1);
        res.writeHead(r.status).end(r.status < 300 ? 'ok' : 'unavailable');
      }, r.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(r, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server });
}

let hook: Receiver;
const rules = path.join(dir, 'rules');
const NOW = Date.parse('2024-05-01T13:00:00Z');

const rec = (i: number): JsonObject =>
  deepMerge(
    {
      ...BASE_TEST_RECORD,
      eventID: `n${i}`,
      eventTime: new Date(Date.parse('2024-05-01T12:00:00Z') + i * 1000).toISOString(),
    },
    {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      userIdentity: { arn: `arn:aws:iam::111122223333:user/u${i}` },
    },
  );

function setup(name: string, count: number): { db: string; config: string; logs: string } {
  const base = path.join(dir, name);
  mkdirSync(path.join(base, 'logs'), { recursive: true });
  writeFileSync(
    path.join(base, 'logs', 'a.json'),
    JSON.stringify({ Records: Array.from({ length: count }, (_, i) => rec(i)) }),
  );
  const config = path.join(base, 'trailwatch.yml');
  writeFileSync(
    config,
    `rules: [${rules}]
notifications:
  destinations:
    - name: soc
      type: webhook
      url: ${hook.url}
      secret: \${env:HOOK_SECRET}
      timeoutMs: 5000
  routes:
    - destinations: [soc]
  retry: { maxAttempts: 5, initialDelay: 1s, maxDelay: 10s }
`,
  );
  return { db: path.join(base, 'db.duckdb'), config, logs: path.join(base, 'logs') };
}

beforeAll(async () => {
  hook = await receiver();
  mkdirSync(rules);
  writeFileSync(
    path.join(rules, 'trail-stopped.yml'),
    `id: trail-stopped
title: Trail stopped
description: A trail was stopped.
severity: high
status: stable
tactics: [TA0005]
runbook: Start the trail again and find out who stopped it.
detection:
  stop: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging }
  condition: stop
output:
  groupBy: [userIdentity.arn]
tests:
  - { name: stop, alert: true, event: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging } }
  - { name: other, alert: false, event: {} }
`,
  );
});
afterAll(async () => {
  await new Promise((resolve) => hook.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const env = { HOOK_SECRET: 'test-secret' };

describe('notifications', () => {
  it('keep every notification through an outage and deliver each once when the destination returns', async () => {
    const { db, config, logs } = setup('outage', 4);
    hook.status = 503;
    hook.accepted.clear();
    const ingest = await cli(['ingest', logs, '--db', db, '--config', config], { env, now: NOW });
    expect(ingest.code, ingest.err).toBe(0);
    const status = await cli(['notify', 'status', '--format', 'jsonl', '--db', db, '--config', config], {
      env,
      now: NOW,
    });
    const pending = status.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; attempts: number; lastError: string });
    expect(pending).toHaveLength(4);
    expect(
      pending.every((p) => p.status === 'pending' && p.attempts === 1 && p.lastError.includes('503')),
    ).toBe(true);
    expect(pending.some((p) => p.lastError.includes('test-secret'))).toBe(false);
    // not due yet: nothing is sent again before the backoff
    const early = await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + 100 });
    expect(early.out).toContain('delivered 0, retrying later 0, dead 0');
    hook.status = 200;
    const later = await cli(['notify', 'dispatch', '--db', db, '--config', config], {
      env,
      now: NOW + 5_000,
    });
    expect(later.out).toContain('delivered 4');
    expect([...hook.accepted.values()]).toEqual([1, 1, 1, 1]);
    // a restart does not send delivered ones again, and re-ingesting the same data adds none
    await cli(['ingest', logs, '--db', db, '--config', config], { env, now: NOW + 60_000 });
    await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + 120_000 });
    expect([...hook.accepted.values()]).toEqual([1, 1, 1, 1]);
  });

  it('withdraws the notification of an alert suppressed before delivery, and sends it when asked again', async () => {
    const { db, config, logs } = setup('withdrawn', 2);
    hook.status = 503;
    hook.accepted.clear();
    expect((await cli(['ingest', logs, '--db', db, '--config', config], { env, now: NOW })).code).toBe(0);
    // The rule comes from the configuration's rules: (not the built-in pack): re-evaluation after
    // the suppression must load it to decide its alert.
    const added = await cli(
      [
        'suppress',
        'add',
        '--rule',
        'trail-stopped',
        '--match',
        'actor.arn=arn:aws:iam::111122223333:user/u0',
        '--reason',
        'u0 rotates trails',
        '--db',
        db,
        '--config',
        config,
      ],
      { env, now: NOW + 1_000 },
    );
    expect(added.code, added.err).toBe(0);
    const suppressed = await cli(
      ['alerts', '--status', 'suppressed', '--format', 'jsonl', '--db', db, '--config', config],
      { env, now: NOW + 1_000 },
    );
    const alerts = suppressed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; groupKey: string; runbook: string });
    expect(alerts.map((a) => a.groupKey)).toEqual(['arn:aws:iam::111122223333:user/u0']);
    // the alert's rule metadata comes from the configured rules too
    expect(alerts[0]?.runbook).toContain('Start the trail again');
    hook.status = 200;
    const sent = await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + 5_000 });
    expect(sent.out).toContain('delivered 1, retrying later 0, dead 0, withdrawn 1');
    expect([...hook.accepted.values()]).toEqual([1]);
    const status = await cli(['notify', 'status', '--format', 'jsonl', '--db', db, '--config', config], {
      env,
      now: NOW + 5_000,
    });
    const withdrawn = status.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; alertId: string; status: string; lastError: string });
    expect(withdrawn.map((n) => [n.alertId, n.status])).toEqual([[alerts[0]?.id, 'withdrawn']]);
    expect(withdrawn[0]?.lastError).toContain('suppressed by sup-');
    // Asked again while the alert is still suppressed, it is withdrawn again; once the suppression
    // is removed, it goes out.
    const id = withdrawn[0]?.id ?? '';
    await cli(['notify', 'retry', id, '--db', db, '--config', config], { env, now: NOW + 6_000 });
    const again = await cli(['notify', 'dispatch', '--db', db, '--config', config], {
      env,
      now: NOW + 6_000,
    });
    expect(again.out).toContain('withdrawn 1');
    const sup = (
      await cli(['suppress', 'list', '--format', 'jsonl', '--db', db, '--config', config], { env, now: NOW })
    ).out.trim();
    const removed = await cli(
      ['suppress', 'remove', (JSON.parse(sup) as { id: string }).id, '--db', db, '--config', config],
      { env, now: NOW + 7_000 },
    );
    expect(removed.code, removed.err).toBe(0);
    await cli(['notify', 'retry', id, '--db', db, '--config', config], { env, now: NOW + 8_000 });
    const last = await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + 8_000 });
    expect(last.out).toContain('delivered 1');
    expect([...hook.accepted.values()]).toEqual([1, 1]);
  });

  it('gives up after the configured attempts and lets dead notifications be retried', async () => {
    const { db, config, logs } = setup('dead', 1);
    hook.status = 500;
    hook.accepted.clear();
    await cli(['ingest', logs, '--db', db, '--config', config], { env, now: NOW });
    for (let i = 1; i <= 5; i++)
      await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + i * 60_000 });
    const store = await openDuckDbStore(db);
    const dead = await store.notifications(['dead'], 10);
    await store.close();
    expect(dead.map((d) => d.attempts)).toEqual([5]);
    hook.status = 200;
    expect(
      (await cli(['notify', 'retry', '--dead', '--db', db, '--config', config], { env, now: NOW + 400_000 }))
        .code,
    ).toBe(0);
    await cli(['notify', 'dispatch', '--db', db, '--config', config], { env, now: NOW + 400_000 });
    expect([...hook.accepted.values()]).toEqual([1]);
  });

  it('loses nothing and sends nothing twice when the dispatcher is killed mid-delivery', async () => {
    const { db, config, logs } = setup('kill', 6);
    hook.status = 503;
    await cli(['ingest', logs, '--db', db, '--config', config], { env, now: NOW });
    hook.status = 200;
    hook.delayMs = 400;
    hook.accepted.clear();
    const before = hook.requests;
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'trailwatch'), 'notify', 'dispatch', '--db', db, '--config', config],
      {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      },
    );
    // kill it while the third notification is in flight
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (hook.requests - before >= 3) {
          clearInterval(t);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((resolve) => child.on('exit', resolve));
    hook.delayMs = 0;
    const again = await cli(['notify', 'dispatch', '--db', db, '--config', config], { env });
    expect(again.code, again.err).toBe(0);
    const store = await openDuckDbStore(db);
    const left = await store.notifications(['pending', 'dead'], 100);
    await store.close();
    expect(left).toEqual([]);
    expect(hook.accepted.size).toBe(6);
    // only a notification in flight at the kill can arrive twice, and it carries the same id
    expect([...hook.accepted.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);
  });
});
