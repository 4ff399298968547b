// The built CLI: `serve --retain` prunes at start, shows it in /metrics, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../helpers/exposition.js';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';
import { freePort } from '../helpers/ports.js';
import { serve } from '../helpers/serve.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'trailwatch');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-serve-retain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;

it('serve --retain prunes when it starts and counts it in /metrics', async () => {
  expect(existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')), 'build first: npm run build').toBe(true);
  const now = Date.now();
  const trail = path.join(dir, 'trail');
  mkdirSync(trail);
  writeFileSync(
    path.join(trail, 'part.json'),
    JSON.stringify({
      Records: [
        record({ eventID: 'ancient', eventTime: new Date(now - 500 * DAY).toISOString() }),
        record({ eventID: 'recent', eventTime: new Date(now - 60_000).toISOString() }),
      ],
    }),
  );
  const db = path.join(dir, 'store.duckdb');
  expect((await cli(['ingest', trail, '--db', db, '--no-rules'], { now, cwd: dir })).code).toBe(0);

  const port = await freePort();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--db', db, '--port', String(port), '--retain', '400d'],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const started = Date.now();
    while (!/retention: deleted/.test(log) && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(log).toContain('retention: deleted 1 events before');
    const p = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    expect(sampleValue(p, 'trailwatch_events_pruned_total')).toBe(1);
    expect(sampleValue(p, 'trailwatch_stored_events')).toBe(1);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});

it("serve without --watch shows the configuration's rules, not only the built-in pack", async () => {
  const rules = path.join(dir, 'own-rules');
  mkdirSync(rules);
  writeFileSync(
    path.join(rules, 'own-rule.yml'),
    `id: own-rule
title: Our own rule
description: A rule of this organisation.
severity: low
status: stable
tactics: [TA0005]
runbook: Ask the owner.
detection:
  stop: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging }
  condition: stop
tests:
  - { name: stop, alert: true, event: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging } }
  - { name: other, alert: false, event: {} }
`,
  );
  const config = path.join(dir, 'own.yml');
  writeFileSync(config, `rules: [${rules}]\n`);
  const served = await serve(['--db', path.join(dir, 'own.duckdb'), '--config', config], dir);
  try {
    const body = (await (await fetch(`${served.url}/api/rules`)).json()) as { rules: { id: string }[] };
    expect(body.rules.map((r) => r.id)).toEqual(['own-rule']);
  } finally {
    expect(await served.stop()).toBe(0);
  }
});
