// The ingest use case over real files and a real DuckDB store: shapes, quarantine, checkpoints, dedup, raw.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingest } from '../../src/pipeline/ingest.js';
import { attachRaw } from '../../src/pipeline/raw.js';
import { createLocalSource, createStdinSource } from '../../src/sources/local/files.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';
import { record } from '../helpers/records.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-ingest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const trailKey = (account: string, region: string, day: string, name: string): string =>
  `AWSLogs/o-abc123defg/${account}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${name}`;

function write(dir: string, rel: string, data: string | Buffer): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

describe('ingest', () => {
  let dir: string;
  let store: Store;
  let dbPath: string;
  beforeEach(async () => {
    dir = path.join(root, `case-${n++}`);
    mkdirSync(dir);
    dbPath = path.join(dir, 'tw.duckdb');
    store = await openDuckDbStore(dbPath);
  });
  afterEach(async () => {
    await store.close();
  });

  function layout(): void {
    const a = record({ eventID: 'a', recipientAccountId: '111111111111' });
    const b = record({ eventID: 'b', recipientAccountId: '111111111111', eventName: 'CreateUser' });
    const c = record({ eventID: 'c', recipientAccountId: '222222222222', awsRegion: 'eu-west-1' });
    write(
      dir,
      trailKey('111111111111', 'us-east-1', '2024-05-01', 'f1.json.gz'),
      gzipSync(JSON.stringify({ Records: [a, b] })),
    );
    // b is delivered again in a later file: stored once
    write(
      dir,
      trailKey('111111111111', 'us-east-1', '2024-05-02', 'f2.json.gz'),
      gzipSync(JSON.stringify({ Records: [b] })),
    );
    write(
      dir,
      trailKey('222222222222', 'eu-west-1', '2024-05-01', 'f3.json.gz'),
      gzipSync(JSON.stringify({ Records: [c] })),
    );
    write(
      dir,
      'AWSLogs/o-abc123defg/111111111111/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz',
      gzipSync(JSON.stringify({ awsAccountId: '111111111111', digestStartTime: 'x', logFiles: [] })),
    );
  }

  it('stores every event once, sets digests aside and reads nothing new the second time', async () => {
    layout();
    const first = await ingest(store, [createLocalSource([dir])]);
    expect(first).toMatchObject({
      objectsListed: 4,
      objectsSkipped: 0,
      objectsRead: 4,
      digests: 1,
      recordsSeen: 4,
      eventsStored: 3,
      duplicates: 1,
      quarantined: {},
      readErrors: [],
    });
    const second = await ingest(store, [createLocalSource([dir])]);
    expect(second).toMatchObject({ objectsListed: 4, objectsSkipped: 4, objectsRead: 0, eventsStored: 0 });
    expect((await store.searchEvents({})).map((e) => e.eventId).sort()).toEqual(['a', 'b', 'c']);
  });

  it('prunes local trails by account, region and day', async () => {
    layout();
    const s = await ingest(store, [createLocalSource([dir], { accounts: ['222222222222'] })]);
    expect(s.eventsStored).toBe(1);
    const t = await ingest(store, [
      createLocalSource([dir], { since: Date.parse('2024-05-02T06:00:00Z'), regions: ['us-east-1'] }),
    ]);
    // only the file delivered on 05-02: files delivered on 05-01 cannot hold later events
    expect(t).toMatchObject({ objectsListed: 1, eventsStored: 1, duplicates: 0 });
    const u = await ingest(store, [createLocalSource([dir], { until: Date.parse('2024-04-29T23:00:00Z') })]);
    // a file delivered on 05-01 may hold late events from 04-30, but none from 04-29
    expect(u.objectsListed).toBe(0);
  });

  it('quarantines bad files and records with reasons and keeps the good ones', async () => {
    const good = record({ eventID: 'g1' });
    write(
      dir,
      'mixed.json',
      JSON.stringify({
        Records: [good, 7, { hello: 'world' }, record({ eventID: 'g2', eventTime: 'never' })],
      }),
    );
    write(dir, 'notes.txt', 'this is not json');
    write(dir, 'other.json', '{"kind": "inventory"}');
    const gz = gzipSync(JSON.stringify({ Records: [record({ eventID: 'g3' })] }));
    write(dir, 'cut.json.gz', gz.subarray(0, 10));
    write(dir, 'empty.json', '');
    const s = await ingest(store, [createLocalSource([dir])]);
    expect(s.eventsStored).toBe(1);
    expect(s.quarantined).toEqual({
      'not-an-object': 1,
      'not-cloudtrail': 2,
      'bad-event-time': 1,
      'not-json': 1,
      'bad-gzip': 1,
    });
    const q = await store.quarantine();
    expect(q).toHaveLength(6);
    for (const entry of q) {
      expect(entry.uri).toContain(dir);
      expect(entry.detail.length).toBeGreaterThan(5);
    }
    // quarantined objects are checkpointed too: a re-run does not report them again
    expect((await ingest(store, [createLocalSource([dir])])).quarantined).toEqual({});
  });

  it('re-reads a file that changed, storing only the new events', async () => {
    const file = write(dir, 'live.jsonl', `${JSON.stringify(record({ eventID: 'l1' }))}\n`);
    await ingest(store, [createLocalSource([file])]);
    appendFileSync(file, `${JSON.stringify(record({ eventID: 'l2' }))}\n`);
    const s = await ingest(store, [createLocalSource([file])]);
    expect(s).toMatchObject({ objectsRead: 1, eventsStored: 1, duplicates: 1 });
  });

  it('reads globs and stdin, and stdin piped twice is stored once', async () => {
    write(dir, 'x/one.json', JSON.stringify(record({ eventID: 'x1' })));
    write(dir, 'x/two.jsonl', JSON.stringify(record({ eventID: 'x2' })));
    const g = await ingest(store, [createLocalSource([path.join(dir, 'x', '*.json')])]);
    expect(g.eventsStored).toBe(1);
    const body = JSON.stringify([record({ eventID: 's1' }), record({ eventID: 's2' })]);
    const s1 = await ingest(store, [createStdinSource(Readable.from([body]))]);
    const s2 = await ingest(store, [createStdinSource(Readable.from([body]))]);
    expect([s1.eventsStored, s2.objectsSkipped]).toEqual([2, 1]);
  });

  it('returns each raw record exactly as it was, whatever the file shape', async () => {
    const r1 = record({ eventID: 'r1', requestParameters: { nested: { list: [1, 'two', null] } } });
    const r2 = record({ eventID: 'r2', eventName: 'Odd', extraField: { kept: true } });
    write(dir, 'a.json.gz', gzipSync(JSON.stringify({ Records: ['junk', r1] })));
    write(
      dir,
      'b.json',
      JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.s3', detail: r2 }),
    );
    await ingest(store, [createLocalSource([dir])]);
    const events = await attachRaw(store, await store.searchEvents({}));
    const raws = Object.fromEntries(events.map((e) => [e.eventId, e.raw]));
    expect(raws).toEqual({ r1, r2 });
  });
});
