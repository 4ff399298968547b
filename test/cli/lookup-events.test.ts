// ingest cloudtrail://region: the event history through LookupEvents, against a stand-in server on 127.0.0.1
// that speaks the API's protocol and enforces its rate limit.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { JsonObject } from '../../src/domain/json.js';
import { cli, logIo } from '../helpers/cli.js';
import {
  busiestWindow,
  historyEvent,
  startCloudTrailServer,
  type CloudTrailServer,
  type HistoryEvent,
} from '../helpers/cloudtrail-server.js';
import { record } from '../helpers/records.js';
import { TEST_CREDENTIALS } from '../helpers/s3-server.js';
import { insightRecords } from '../server/fixture.js';

const NOW = Date.parse('2024-05-02T00:00:00Z');
const HOUR = 3_600_000;
const ACCOUNT = '111122223333';
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus/stratus');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus)
  console.warn(`lookup-events tests: ${CORPUS} is not present; serving records built by the test helpers`);

/** Real detonation records when the corpus is there (else the helpers' base record), re-timed and re-numbered. */
const templates: JsonObject[] = hasCorpus
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .flatMap((f) => JSON.parse(readFileSync(path.join(CORPUS, f), 'utf8')) as JsonObject[])
  : [record()];

let serial = 0;
/** `count` history events spread evenly over [from, to). */
function history(count: number, from: number, to: number): HistoryEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const template = templates[serial % templates.length] as JsonObject;
    const n = serial++;
    return historyEvent({
      ...template,
      eventID: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      eventTime: new Date(from + Math.floor(((to - from) * i) / count)).toISOString().replace('.000Z', 'Z'),
      recipientAccountId: ACCOUNT,
    });
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'tw-lookup-'));
let server: CloudTrailServer;
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterEach(async () => server.close());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ingestHistory(url: string, db: string, extra: string[] = [], now = NOW) {
  const first = server.requests.length;
  const r = await cli(
    ['ingest', url, '--endpoint-url', server.endpointUrl, '--db', path.join(dir, db), ...extra],
    { now },
  );
  return { ...r, requests: server.requests.slice(first) };
}

const summaryOf = (out: string) => JSON.parse(out) as Record<string, number>;

describe('ingest cloudtrail://region', () => {
  it('pages through every window, keeps under the rate limit, and a re-run reads nothing again', async () => {
    server = await startCloudTrailServer([
      ...history(130, NOW - 5 * HOUR, NOW - 4 * HOUR),
      ...history(20, NOW - 4 * HOUR, NOW - 3 * HOUR),
    ]);
    const url = 'cloudtrail://us-east-1?since=5h&until=3h';
    const first = await ingestHistory(url, 'paging.duckdb', ['--format', 'json', '--no-rules']);
    expect(first.code, first.err).toBe(0);
    expect(summaryOf(first.out)).toMatchObject({ objectsListed: 2, objectsRead: 2, eventsStored: 150 });
    // The probe, three pages of the first hour (50, 50, 30), one of the second.
    expect(first.requests).toHaveLength(5);
    expect(first.requests.filter((r) => r.nextToken !== null)).toHaveLength(2);
    expect(first.requests.every((r) => (r.maxResults ?? 0) <= 50 && !r.isThrottled)).toBe(true);
    expect(busiestWindow(first.requests, 1000)).toBeLessThanOrEqual(2);

    const again = await ingestHistory(url, 'paging.duckdb', ['--format', 'json', '--no-rules']);
    expect(summaryOf(again.out)).toMatchObject({ objectsSkipped: 2, objectsRead: 0, eventsStored: 0 });
    expect(again.requests, JSON.stringify(again.requests)).toHaveLength(1);

    // Each event keeps its record as CloudTrail returned it.
    const served = server.events[0] as HistoryEvent;
    const found = await cli([
      'search',
      '--db',
      path.join(dir, 'paging.duckdb'),
      '--event-id',
      served.eventId,
      '--format',
      'jsonl',
    ]);
    const line = JSON.parse(found.out) as { raw: JsonObject };
    expect(line.raw).toEqual(JSON.parse(served.cloudTrailEvent));
  });

  it('asks only for the time range given, and stores only what falls in it', async () => {
    server = await startCloudTrailServer([
      ...history(10, NOW - 5 * HOUR, NOW - 4 * HOUR),
      ...history(7, NOW - 4 * HOUR, NOW - 3 * HOUR),
    ]);
    const since = NOW - 4 * HOUR;
    const until = NOW - 3 * HOUR;
    const r = await ingestHistory(
      `cloudtrail://us-east-1?since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`,
      'bounds.duckdb',
      ['--format', 'json', '--no-rules'],
    );
    expect(summaryOf(r.out)).toMatchObject({ objectsListed: 1, eventsStored: 7 });
    for (const q of r.requests) {
      expect(q.startTime).toBeGreaterThanOrEqual(since);
      expect(q.endTime).toBeLessThanOrEqual(until);
    }
  });

  it('backs off on ThrottlingException and loses nothing', async () => {
    server = await startCloudTrailServer(history(160, NOW - 3 * HOUR, NOW - 2 * HOUR));
    // The older documented limit, stricter than the client's pace: the server must push back.
    server.limitPerSecond = 1;
    const r = await ingestHistory('cloudtrail://us-east-1?since=3h&until=2h', 'throttled.duckdb', [
      '--format',
      'json',
      '--no-rules',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(summaryOf(r.out)).toMatchObject({ eventsStored: 160, readErrors: [] });
    expect(r.requests.some((q) => q.isThrottled)).toBe(true);
    expect(r.requests.filter((q) => !q.isThrottled)).toHaveLength(5);
    expect(busiestWindow(r.requests, 1000)).toBeLessThanOrEqual(2);
  }, 60_000);

  it('quarantines a CloudTrailEvent that is not JSON with its reason, and keeps the rest', async () => {
    const events = history(5, NOW - 3 * HOUR, NOW - 2 * HOUR);
    const broken = { ...(events[2] as HistoryEvent), cloudTrailEvent: '{"eventVersion":"1.09","eventTi' };
    server = await startCloudTrailServer([...events.slice(0, 2), broken, ...events.slice(3)]);
    const r = await ingestHistory('cloudtrail://us-east-1?since=3h&until=2h', 'broken.duckdb', [
      '--report',
      '--no-rules',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('4 events stored');
    expect(r.out).toContain(`not-json`);
    expect(r.out).toContain(`LookupEvents CloudTrailEvent of event ${broken.eventId} is not JSON`);
  });

  it('reads the windows still filling again when something new arrived, storing only what is new', async () => {
    server = await startCloudTrailServer(history(3, NOW - 2 * HOUR, NOW - 5 * 60_000));
    const first = await ingestHistory('cloudtrail://eu-west-1?since=2h', 'open.duckdb', [
      '--format',
      'json',
      '--no-rules',
    ]);
    expect(summaryOf(first.out)).toMatchObject({ objectsListed: 2, eventsStored: 3 });
    // Nothing new: the probe says so, and no window is read again.
    const idle = await ingestHistory('cloudtrail://eu-west-1?since=2h', 'open.duckdb', [
      '--format',
      'json',
      '--no-rules',
    ]);
    expect(summaryOf(idle.out)).toMatchObject({ objectsSkipped: 2, objectsRead: 0 });
    expect(idle.requests).toHaveLength(1);
    server.events.push(...history(1, NOW + 60_000, NOW + 90_000));
    const later = NOW + 2 * 60_000;
    const again = await ingestHistory(
      'cloudtrail://eu-west-1?since=2h',
      'open.duckdb',
      ['--format', 'json', '--no-rules'],
      later,
    );
    expect(summaryOf(again.out)).toMatchObject({ objectsSkipped: 1, objectsRead: 2, eventsStored: 1 });
  });

  it('reads the Insights events of the history with category=insight', async () => {
    const insights = insightRecords().map((r, i) =>
      historyEvent({ ...r, eventTime: new Date(NOW - 3 * HOUR + i * 60_000).toISOString() }),
    );
    server = await startCloudTrailServer([...history(4, NOW - 3 * HOUR, NOW - 2 * HOUR), ...insights]);
    const db = 'insights.duckdb';
    const r = await ingestHistory('cloudtrail://us-east-1?since=3h&until=2h&category=insight', db, [
      '--format',
      'json',
    ]);
    expect(summaryOf(r.out)).toMatchObject({ eventsStored: 2 });
    expect(r.requests.every((q) => q.eventCategory === 'insight')).toBe(true);
    const found = await cli(['search', '--db', path.join(dir, db), '--event-category', 'insight'], {
      now: NOW,
    });
    expect(found.out).toContain('ApiCallRateInsight Start');
    // The management events are another checkpoint: reading them later takes them all.
    const management = await ingestHistory('cloudtrail://us-east-1?since=3h&until=2h', db, [
      '--format',
      'json',
    ]);
    expect(summaryOf(management.out)).toMatchObject({ objectsSkipped: 0, eventsStored: 4 });
  });

  it('keeps two URLs of one region within the one limit they share', async () => {
    const insights = insightRecords().map((r, i) =>
      historyEvent({ ...r, eventTime: new Date(NOW - 3 * HOUR + i * 60_000).toISOString() }),
    );
    server = await startCloudTrailServer([...history(60, NOW - 3 * HOUR, NOW - HOUR), ...insights]);
    const r = await cli(
      [
        'ingest',
        'cloudtrail://us-east-1?since=3h&until=1h',
        'cloudtrail://us-east-1?since=3h&until=1h&category=insight',
        '--endpoint-url',
        server.endpointUrl,
        '--db',
        path.join(dir, 'both.duckdb'),
        '--format',
        'json',
      ],
      { now: NOW },
    );
    expect(summaryOf(r.out)).toMatchObject({ eventsStored: 62 });
    expect(server.requests.filter((q) => q.isThrottled)).toEqual([]);
    expect(busiestWindow(server.requests, 1000)).toBeLessThanOrEqual(2);
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_CLOUDTRAIL, as the SDK does', async () => {
    server = await startCloudTrailServer(history(3, NOW - 3 * HOUR, NOW - 2 * HOUR));
    process.env.AWS_ENDPOINT_URL_CLOUDTRAIL = server.endpointUrl;
    try {
      const r = await cli(
        ['ingest', 'cloudtrail://us-east-1?since=3h&until=2h', '--db', path.join(dir, 'env.duckdb')],
        { now: NOW },
      );
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('3 events stored');
      expect(server.requests.length).toBeGreaterThan(0);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_CLOUDTRAIL;
    }
  });

  it('is watched: events that appear in the history while watch runs are stored and detected', async () => {
    server = await startCloudTrailServer(history(2, NOW - 50 * 60_000, NOW - 40 * 60_000));
    const db = path.join(dir, 'watch.duckdb');
    const started = Date.now();
    // A clock that moves: a window still filling is read again only once a newer event appears.
    const { io, log: logged } = logIo(dir, () => NOW + (Date.now() - started));
    const abort = new AbortController();
    const running = runWatch(
      [
        'cloudtrail://us-east-1?since=2h',
        '--endpoint-url',
        server.endpointUrl,
        '--interval',
        '1s',
        '--db',
        db,
      ],
      io,
      abort.signal,
    );
    const until = async (pattern: RegExp): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(logged())) {
        if (Date.now() > deadline) throw new Error(`watch never logged ${String(pattern)}:\n${logged()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(/ 2 events,/);
    const stop = record({
      eventID: 'watched-stop-1',
      eventTime: new Date(NOW - 60_000).toISOString(),
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      readOnly: false,
      recipientAccountId: ACCOUNT,
    });
    server.events.push(historyEvent(stop));
    await until(/ 1 events, 1 alerts written/);
    abort.abort();
    expect(await running).toBe(0);
    expect(logged()).toContain('stopped; everything read so far is stored');
    const store = await openDuckDbStore(db);
    try {
      expect((await store.stats()).events).toBe(3);
      expect((await store.alerts({ limit: 10 })).map((a) => a.ruleId)).toContain(
        'cloudtrail-logging-stopped',
      );
    } finally {
      await store.close();
    }
  }, 60_000);

  it('says what a history URL looks like when given a wrong one', async () => {
    server = await startCloudTrailServer();
    const r = await ingestHistory('cloudtrail://nowhere', 'bad.duckdb');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('Expected a region after cloudtrail://');
    expect(r.requests).toHaveLength(0);
  });
});
