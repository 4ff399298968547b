// watch: objects arriving in S3 while it runs become events and alerts; a stop and restart loses and doubles nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch.js';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { startS3Server, TEST_CREDENTIALS, type S3Server } from '../helpers/s3-server.js';
import { logIo } from '../helpers/cli.js';

const END = Date.parse('2024-06-12T15:20:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-watch-'));
const db = path.join(dir, 'watch.duckdb');
const trail = generateDemoTrail({ end: END });
const half = Math.floor(trail.files.length / 2);
let s3: S3Server;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  s3 = await startS3Server();
  await s3.createBucket('live-trail');
});
afterAll(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

async function upload(files: typeof trail.files): Promise<void> {
  for (const f of files) await s3.put('live-trail', f.key, gzipSync(JSON.stringify({ Records: f.records })));
}

/** Runs watch until `until` says the log shows enough, then stops it. */
async function watchUntil(until: (log: string) => boolean, during?: () => Promise<void>): Promise<string> {
  const { io, log: logged } = logIo(dir, END + 3_600_000);
  const abort = new AbortController();
  const running = runWatch(
    [
      's3://live-trail',
      '--endpoint-url',
      s3.endpointUrl,
      '--region',
      'us-east-1',
      '--interval',
      '1s',
      '--lookback',
      '5d',
      '--db',
      db,
    ],
    io,
    abort.signal,
  );
  await during?.();
  const started = Date.now();
  while (!until(logged()) && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
  abort.abort();
  expect(await running).toBe(0);
  return logged();
}

const storedEvents = (log: string): number =>
  [...log.matchAll(/ (\d+) events,/g)].reduce((n, m) => n + Number(m[1]), 0);
const records = (files: typeof trail.files): number => files.reduce((n, f) => n + f.records.length, 0);

describe('trailwatch watch', () => {
  it('picks up objects that arrive while it runs, detects, and stops cleanly', async () => {
    await upload(trail.files.slice(0, half));
    const expected = records(trail.files) - 1; // one record is deliberately delivered twice
    const log = await watchUntil(
      (l) => storedEvents(l) >= expected,
      () => upload(trail.files.slice(half)),
    );
    expect(log).toContain('watching s3://live-trail');
    expect(log).toContain('stopped; everything read so far is stored');
    expect(storedEvents(log)).toBe(expected);
    const store = await openDuckDbStore(db);
    try {
      expect((await store.stats()).events).toBe(expected);
      expect((await store.alerts({ limit: 1000 })).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('finds nothing new after a restart', async () => {
    const log = await watchUntil((l) => l.includes('first poll'));
    const objects = trail.files.length; // digests are not uploaded here
    expect(log).toContain(`first poll: ${objects} objects listed, ${objects} already stored`);
    expect(storedEvents(log)).toBe(0);
  });
});
