// /metrics scraped over HTTP from a real server and a real store while data is ingested, quarantined and alerted on.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet, openStore } from '../../src/app.js';
import { runWatch } from '../../src/cli/watch.js';
import type { CompiledRule } from '../../src/domain/rule.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createPipelineMetrics, type PipelineMetrics } from '../../src/pipeline/metrics.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import type { Store } from '../../src/storage/port.js';
import { logIo } from '../helpers/cli.js';
import { parseExposition, sampleValue, type ParsedExposition } from '../helpers/exposition.js';
import { record } from '../helpers/records.js';

const NOW = Date.parse('2024-05-01T12:30:00Z');
const TOKEN = 'metrics-token-0123456789';
const dir = mkdtempSync(path.join(tmpdir(), 'tw-metrics-'));
let store: Store;
let rules: CompiledRule[];
let metrics: PipelineMetrics;
let open: RunningServer;
let secured: RunningServer;

function writeTrail(name: string, records: unknown[], extra = ''): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'part.json'), JSON.stringify({ Records: records }) + extra);
  return folder;
}

beforeAll(async () => {
  store = await openStore(path.join(dir, 'store.duckdb'), () => NOW);
  ({ rules } = await loadRuleSet(undefined, dir));
  metrics = createPipelineMetrics();
  open = await startServer({ store, rules, port: 0, now: () => NOW, metrics });
  secured = await startServer({ store, rules, port: 0, token: TOKEN, now: () => NOW, metrics });
});
afterAll(async () => {
  await open.close();
  await secured.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(server = open, headers: Record<string, string> = {}): Promise<ParsedExposition> {
  const res = await fetch(`${server.url}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

const ingestFolder = (folder: string) =>
  ingest(store, [createLocalSource([folder])], {
    metrics,
    now: () => NOW,
    detection: { rules, now: () => NOW },
  });

describe('/metrics', () => {
  it('starts from zero on an empty store, every line valid, names by convention', async () => {
    const p = await scrape();
    expect(sampleValue(p, 'trailwatch_events_ingested_total')).toBe(0);
    expect(sampleValue(p, 'trailwatch_stored_events')).toBe(0);
    expect(sampleValue(p, 'trailwatch_ingest_lag_seconds')).toBeUndefined();
    for (const [name, type] of p.types) {
      expect(name).toMatch(/^trailwatch_[a-z_]+$/);
      expect(p.help.get(name), name).toBeTruthy();
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
    // No high-cardinality labels: only these label names appear.
    const labelNames = new Set(p.samples.flatMap((s) => Object.keys(s.labels)));
    for (const l of labelNames)
      expect(['kind', 'reason', 'severity', 'status', 'outcome', 'le']).toContain(l);
  });

  it('changes as events are ingested, duplicated, quarantined and alerted on', async () => {
    const good = [
      record({ eventID: 'm-1', eventTime: '2024-05-01T12:00:00Z' }),
      record({
        eventID: 'm-2',
        eventTime: '2024-05-01T12:10:00Z',
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'StopLogging',
        readOnly: false,
        requestParameters: { name: 'org-trail' },
      }),
      { eventVersion: '1.09', eventID: 'no-time', eventName: 'ListBuckets' },
    ];
    await ingestFolder(writeTrail('first', good));
    let p = await scrape();
    expect(sampleValue(p, 'trailwatch_events_ingested_total')).toBe(2);
    expect(sampleValue(p, 'trailwatch_objects_processed_total', { kind: 'events' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_records_quarantined_total', { reason: 'missing-event-time' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_quarantine_entries', { reason: 'missing-event-time' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_stored_events')).toBe(2);
    expect(sampleValue(p, 'trailwatch_ingest_lag_seconds')).toBe(20 * 60);
    expect(sampleValue(p, 'trailwatch_newest_event_timestamp_seconds')).toBe(
      Date.parse('2024-05-01T12:10:00Z') / 1000,
    );
    expect(sampleValue(p, 'trailwatch_delivery_delay_seconds_count')).toBe(2);
    expect(sampleValue(p, 'trailwatch_delivery_delay_seconds_sum')).toBe(30 * 60 + 20 * 60);
    expect(sampleValue(p, 'trailwatch_delivery_delay_seconds_bucket', { le: '1800' })).toBe(2);
    expect(sampleValue(p, 'trailwatch_delivery_delay_seconds_bucket', { le: '900' })).toBe(0);
    expect(sampleValue(p, 'trailwatch_rule_evaluations_total')).toBeGreaterThan(0);
    expect(sampleValue(p, 'trailwatch_rule_matches_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(p, 'trailwatch_alerts_written_total', { severity: 'high' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(p, 'trailwatch_alerts', { severity: 'high', status: 'open' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sampleValue(p, 'trailwatch_alerts', { severity: 'critical', status: 'resolved' })).toBe(0);

    // A re-delivery of m-1 in another object, and an object that is not JSON at all.
    await ingestFolder(writeTrail('second', [record({ eventID: 'm-1', eventTime: '2024-05-01T12:00:00Z' })]));
    writeFileSync(path.join(writeTrail('third', []), 'part.json'), 'this is not json');
    await ingestFolder(path.join(dir, 'third'));
    p = await scrape();
    expect(sampleValue(p, 'trailwatch_events_ingested_total')).toBe(2);
    expect(sampleValue(p, 'trailwatch_events_duplicate_total')).toBe(1);
    expect(sampleValue(p, 'trailwatch_objects_processed_total', { kind: 'events' })).toBe(2);
    expect(sampleValue(p, 'trailwatch_objects_processed_total', { kind: 'invalid' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_records_quarantined_total', { reason: 'not-json' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_stored_objects')).toBe(3);

    // Triage shows in the stored-state gauges.
    const [alert] = await store.alerts({ statuses: ['open'], limit: 1 });
    await store.changeAlert(alert?.id ?? '', {
      at: NOW,
      actor: 't',
      action: 'acknowledge',
      status: 'acknowledged',
    });
    p = await scrape();
    const sev = alert?.severity ?? 'high';
    expect(sampleValue(p, 'trailwatch_alerts', { severity: sev, status: 'acknowledged' })).toBe(1);
  });

  it('follows the API auth rules: token when configured, loopback Host otherwise', async () => {
    expect((await fetch(`${secured.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${secured.url}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const p = await scrape(secured, { Authorization: `Bearer ${TOKEN}` });
    expect(sampleValue(p, 'trailwatch_stored_events')).toBe(2);
    // fetch cannot set Host; node:http can (a page re-pointed at 127.0.0.1 by DNS rebinding sends its own name).
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${open.url}/metrics`, { headers: { Host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(403);
    expect((await fetch(`${open.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('watch --metrics-port', () => {
  it('serves metrics while it collects (and prunes with --retain), and refuses a public address without a token', async () => {
    const trail = writeTrail('watched', [record({ eventID: 'w-1', eventTime: '2024-05-01T12:00:00Z' })]);
    const { io, log } = logIo(dir, NOW);
    const db = path.join(dir, 'watch.duckdb');
    const abort = new AbortController();
    const running = runWatch(
      [trail, '--interval', '1s', '--db', db, '--metrics-port', '0', '--retain', '400d'],
      io,
      abort.signal,
    );
    const started = Date.now();
    let url: string | undefined;
    let p: ParsedExposition | undefined;
    while (Date.now() - started < 30_000) {
      url ??= /metrics at (\S+)/.exec(log())?.[1];
      if (url && / 1 events,/.test(log())) {
        p = parseExposition(await (await fetch(url)).text());
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    abort.abort();
    expect(await running).toBe(0);
    expect(log()).toContain('retention: deleted 0 events before 2023-03-28T12:30:00.000Z');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(p && sampleValue(p, 'trailwatch_events_ingested_total')).toBe(1);
    expect(p && sampleValue(p, 'trailwatch_stored_events')).toBe(1);
    const { version } = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8'),
    ) as { version: string };
    expect(p && sampleValue(p, 'trailwatch_build_info', { version })).toBe(1);
    await expect(
      runWatch([trail, '--db', db, '--metrics-port', '0', '--metrics-host', '0.0.0.0'], io),
    ).rejects.toThrow(/need a token/);
    // A port in use is a usage error, and the store it opened first is closed again (not left locked).
    const port = Number(new URL(open.url).port);
    await expect(runWatch([trail, '--db', db, '--metrics-port', String(port)], io)).rejects.toThrow(
      `--metrics-port ${port} is in use`,
    );
    const bin = path.resolve(import.meta.dirname, '../../bin/trailwatch');
    const other = spawnSync(process.execPath, [bin, 'search', '--db', db, '--limit', '1'], {
      encoding: 'utf8',
    });
    expect(other.stderr).not.toContain('in use');
    expect(other.status).toBe(0);
    await expect(runWatch([trail, '--db', db, '--metrics-port', 'http'], io)).rejects.toThrow(
      '--metrics-port http: expected a port number',
    );
  });
});
