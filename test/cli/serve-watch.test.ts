// serve --watch: the built CLI runs the watcher and the UI in one process over one store; a file dropped
// into the watched folder shows in the API within seconds, and SIGTERM stops both cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';
import { freePort } from '../helpers/ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'trailwatch');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-serve-watch-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('serves the events and alerts of a file dropped into the watched folder, and stops on SIGTERM', async () => {
  expect(existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')), 'build first: npm run build').toBe(true);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  const db = path.join(dir, 'live.duckdb');
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [BIN, 'serve', '--watch', logs, '--db', db, '--port', String(port), '--interval', '1s'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = proc;
  let log = '';
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const api = async (p: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`);
    if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  };
  await waitFor('the server', () => api('/api/overview'), 20_000);
  expect((await api('/api/events')).count).toBe(0);

  const now = Date.now();
  const stop = record({
    eventID: 'live-stop-1',
    eventTime: new Date(now - 60_000).toISOString(),
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    readOnly: false,
    requestParameters: { name: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail' },
  });
  const list = record({ eventID: 'live-list-1', eventTime: new Date(now - 120_000).toISOString() });
  const dropped = Date.now();
  writeFileSync(path.join(logs, 'dropped.json'), JSON.stringify({ Records: [stop, list] }));

  const events = await waitFor(
    'the events',
    async () => {
      const body = await api('/api/events');
      return body.count === 2 ? body : null;
    },
    15_000,
  );
  const alerts = await waitFor(
    'the alert',
    async () => {
      const body = await api('/api/alerts');
      return (body.count as number) > 0 ? body : null;
    },
    15_000,
  );
  expect(Date.now() - dropped).toBeLessThan(15_000);
  expect((events.events as { eventId: string }[]).map((e) => e.eventId).sort()).toEqual([
    'live-list-1',
    'live-stop-1',
  ]);
  expect((alerts.alerts as { ruleId: string }[]).map((a) => a.ruleId)).toContain(
    'cloudtrail-logging-stopped',
  );

  proc.kill('SIGTERM');
  expect(await exited, log).toBe(0);
  expect(log).toContain('stopped; everything read so far is stored');
  // Both let go of the store: it opens again, with what was served.
  const store = await openDuckDbStore(db);
  try {
    expect((await store.stats()).events).toBe(2);
  } finally {
    await store.close();
  }
}, 60_000);

it('refuses watch options and sources without --watch, and --watch without a source', async () => {
  const noWatch = await cli(['serve', '--interval', '1s']);
  expect([noWatch.code, noWatch.err]).toEqual([2, expect.stringContaining('--interval is a watch option')]);
  const source = await cli(['serve', './logs']);
  expect(source.err).toContain('serve takes sources only with --watch');
  const empty = await cli(['serve', '--watch']);
  expect(empty.err).toContain('serve --watch needs a source or --sqs QUEUE_URL');
});
