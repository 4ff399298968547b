// The CLI end to end in-process: ingest exit statuses and summaries, search filters and formats.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = path.join(dir, 'cli.duckdb');
const logs = path.join(dir, 'logs');

beforeAll(() => {
  mkdirSync(logs);
  const records = [
    record({
      eventID: 'c1',
      eventTime: '2024-05-01T10:00:00Z',
      eventName: 'ConsoleLogin',
      eventSource: 'signin.amazonaws.com',
    }),
    record({
      eventID: 'c2',
      eventTime: '2024-05-01T11:00:00Z',
      eventName: 'PutBucketPolicy',
      userAgent: '=HYPERLINK("http://evil.example")',
      requestParameters: { bucketName: 'public-bucket' },
    }),
    record({
      eventID: 'c3',
      eventTime: '2024-05-01T23:30:00Z',
      errorCode: 'AccessDenied',
      eventName: 'ListSecrets',
    }),
  ];
  writeFileSync(path.join(logs, 'a.json.gz'), gzipSync(JSON.stringify({ Records: records })));
});

describe('trailwatch ingest and search', () => {
  it('ingests, summarises, and exits 0 when everything was stored', async () => {
    const r = await cli(['ingest', logs, '--db', db]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('records: 3 seen, 3 events stored, 0 duplicates skipped');
    expect(r.out).toContain('quarantined: 0');
    const again = await cli(['ingest', logs, '--db', db, '--format', 'json']);
    expect(JSON.parse(again.out)).toMatchObject({ objectsSkipped: 1, objectsRead: 0 });
  });

  it('exits 1 and lists reasons with --report when something was quarantined', async () => {
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'x.json'), 'not json at all');
    const r = await cli(['ingest', bad, '--db', db, '--report']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('quarantined: 1 (not-json 1)');
    expect(r.out).toMatch(/not-json\s+.*x\.json: not JSON/);
  });

  it('exits 2 with a helpful message for usage errors', async () => {
    const missing = await cli(['ingest', path.join(dir, 'nope'), '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file or directory');
    const flag = await cli(['search', '--bogus', '--db', db]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("Unknown option '--bogus'");
    const when = await cli(['search', '--since', 'whenever', '--db', db]);
    expect(when.err).toContain('expected a time such as 2h');
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('searches with combined filters, newest first, in every format', async () => {
    const table = await cli(['search', '--db', db, '--since', '1d']);
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+EVENT/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual([
      'ListSecrets',
      'PutBucketPolicy',
      'ConsoleLogin',
    ]);
    const failed = await cli(['search', '--db', db, '--outcome', 'failure', '--format', 'jsonl']);
    const events = failed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.eventId)).toEqual(['c3']);
    expect(events[0]?.eventTime).toBe('2024-05-01T23:30:00.000Z');
    expect((events[0]?.raw as Record<string, unknown>).eventID).toBe('c3');
    const combined = await cli([
      'search',
      '--db',
      db,
      '--event-name',
      'PutBucketPolicy,ConsoleLogin',
      '--text',
      'public-bucket',
      '--format',
      'jsonl',
    ]);
    expect(combined.out.trim().split('\n')).toHaveLength(1);
  });

  it('neutralises formula cells in CSV', async () => {
    const r = await cli(['search', '--db', db, '--event-id', 'c2', '--format', 'csv']);
    const [header, row] = r.out.trim().split('\n');
    expect(header?.startsWith('eventTime,eventId,')).toBe(true);
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('uses TRAILWATCH_DB when --db is not given', async () => {
    const r = await cli(['search', '--event-id', 'c1', '--format', 'jsonl'], { env: { TRAILWATCH_DB: db } });
    expect((JSON.parse(r.out) as { eventId: string }).eventId).toBe('c1');
  });

  it('reads standard input with -', async () => {
    const other = path.join(dir, 'stdin.duckdb');
    const r = await cli(['ingest', '-', '--db', other], { stdin: JSON.stringify(record({ eventID: 's1' })) });
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 events stored');
  });
});
