// End to end through the CLI: the demo command, and ingest from a real S3-compatible server on 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { cli } from '../helpers/cli.js';
import { startS3Server, TEST_CREDENTIALS, type S3Server } from '../helpers/s3-server.js';

const END = Date.parse('2024-06-12T15:20:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-e2e-'));
let s3: S3Server;
const trail = generateDemoTrail({ end: END });

beforeAll(async () => {
  // The SDK's default credential chain reads the environment.
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  s3 = await startS3Server();
  await s3.createBucket('org-trail');
  // Upload in reverse order: nothing may depend on the server's listing order.
  for (const f of [...trail.files].reverse())
    await s3.put('org-trail', `security/${f.key}`, gzipSync(JSON.stringify({ Records: f.records })));
  for (const d of trail.digests)
    await s3.put('org-trail', `security/${d.key}`, gzipSync(JSON.stringify(d.digest)));
});
afterAll(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

const recordsIn = (pred: (key: string) => boolean): number =>
  trail.files.filter((f) => pred(f.key)).reduce((n, f) => n + f.records.length, 0);

describe('ingest from S3', () => {
  it('stores an organisation trail under a custom prefix once, and nothing the second time', async () => {
    const db = path.join(dir, 's3.duckdb');
    const args = [
      'ingest',
      's3://org-trail/security',
      '--endpoint-url',
      s3.endpointUrl,
      '--region',
      'us-east-1',
      '--db',
      db,
    ];
    const first = await cli([...args, '--format', 'json']);
    expect(first.code, first.err).toBe(0);
    const summary = JSON.parse(first.out) as Record<string, number>;
    // One record is deliberately delivered twice in the demo trail.
    expect(summary).toMatchObject({
      objectsListed: trail.files.length + trail.digests.length,
      digests: trail.digests.length,
      recordsSeen: recordsIn(() => true),
      eventsStored: recordsIn(() => true) - 1,
      duplicates: 1,
    });
    const again = JSON.parse((await cli([...args, '--format', 'json'])).out) as Record<string, number>;
    expect(again).toMatchObject({ objectsSkipped: summary.objectsListed, objectsRead: 0, eventsStored: 0 });
    const found = await cli(['search', '--db', db, '--event-name', 'DeleteDetector', '--format', 'jsonl']);
    expect(found.out.trim().split('\n')).toHaveLength(1);
  });

  it('reads only the selected accounts, regions and days', async () => {
    const db = path.join(dir, 's3-pruned.duckdb');
    const r = await cli([
      'ingest',
      's3://org-trail',
      '--endpoint-url',
      s3.endpointUrl,
      '--region',
      'us-east-1',
      '--db',
      db,
      '--accounts',
      '222222222222',
      '--regions',
      'eu-west-1',
      '--since',
      '2024-06-12',
      '--format',
      'json',
    ]);
    expect(r.code, r.err).toBe(0);
    const selected = (key: string): boolean =>
      key.includes('/222222222222/CloudTrail/eu-west-1/') && /\/2024\/06\/1[23]\//.test(key);
    expect(JSON.parse(r.out)).toMatchObject({
      objectsListed: trail.files.filter((f) => selected(f.key)).length,
      eventsStored: recordsIn(selected),
    });
  });

  it('says clearly when the bucket does not exist', async () => {
    const r = await cli([
      'ingest',
      's3://no-such-bucket',
      '--endpoint-url',
      s3.endpointUrl,
      '--db',
      path.join(dir, 'x.duckdb'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-bucket');
  });
});

describe('trailwatch demo', () => {
  it('writes the demo trail, ingests it and says what happened', async () => {
    const r = await cli(
      ['demo', '--no-serve', '--dir', path.join(dir, 'demo'), '--db', path.join(dir, 'demo.duckdb')],
      {
        now: END,
      },
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`wrote ${trail.files.length + trail.digests.length} files`);
    expect(r.out).toContain('quarantined: 0');
    for (const step of trail.scenario) expect(r.out).toContain(step.description);
    const again = await cli(
      ['demo', '--no-serve', '--dir', path.join(dir, 'demo'), '--db', path.join(dir, 'demo.duckdb')],
      { now: END },
    );
    expect(again.out).toContain('already there');
    expect(again.out).toContain('0 events stored');
  });
});
