// Decode: every shape CloudTrail data arrives in, and every broken file, without a crash.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/demo/random.js';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { serializeLogFile } from '../../src/demo/serialize.js';
import { decodeObject, recordsAtIndexes } from '../../src/parse/decode.js';
import { record } from '../helpers/records.js';

const r1 = record({ eventID: 'a1' });
const r2 = record({ eventID: 'a2', eventName: 'GetObject' });
const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const idsOf = (bytes: Buffer, key = 'x.json'): string[] =>
  decodeObject(bytes, key).records.map((r) => r.record.eventID as string);

describe('decodeObject', () => {
  it('reads S3 delivery files, plain and gzip', () => {
    const body = JSON.stringify({ Records: [r1, r2] });
    expect(idsOf(text(body))).toEqual(['a1', 'a2']);
    expect(idsOf(gzipSync(body), 'x.json.gz')).toEqual(['a1', 'a2']);
    expect(decodeObject(gzipSync(body), 'x').kind).toBe('events');
  });

  it('reads JSON lines, arrays, single records, with a BOM and CRLF', () => {
    expect(idsOf(text(`${JSON.stringify(r1)}\r\n\r\n${JSON.stringify(r2)}\r\n`))).toEqual(['a1', 'a2']);
    expect(idsOf(text(JSON.stringify([r1, r2])))).toEqual(['a1', 'a2']);
    expect(idsOf(text(`\ufeff${JSON.stringify(r1, null, 2)}`))).toEqual(['a1']);
  });

  it('unwraps EventBridge envelopes and event wrappers', () => {
    const eb = {
      version: '0',
      id: 'x',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.s3',
      detail: r1,
    };
    const wrapped = { source: 'docs', event: r2 };
    expect(idsOf(text([eb, wrapped].map((v) => JSON.stringify(v)).join('\n')))).toEqual(['a1', 'a2']);
  });

  it('reads CloudWatch Logs subscription payloads (base64 of gzip)', () => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: '111122223333',
      logGroup: 'aws-cloudtrail-logs',
      logStream: '111122223333_CloudTrail_us-east-1',
      subscriptionFilters: ['all'],
      logEvents: [
        { id: '1', timestamp: 1, message: JSON.stringify(r1) },
        { id: '2', timestamp: 2, message: JSON.stringify(r2) },
      ],
    };
    const b64 = gzipSync(JSON.stringify(payload)).toString('base64');
    expect(idsOf(text(b64))).toEqual(['a1', 'a2']);
    const control = { messageType: 'CONTROL_MESSAGE', logEvents: [] };
    expect(decodeObject(text(gzipSync(JSON.stringify(control)).toString('base64')), 'x').kind).toBe('empty');
  });

  it('reads LookupEvents pages, quarantining a CloudTrailEvent that is not JSON', () => {
    const page = {
      Events: [
        { EventId: 'a1', EventName: 'ListBuckets', CloudTrailEvent: JSON.stringify(r1) },
        { EventId: 'bad', EventName: 'GetObject', CloudTrailEvent: '{"eventVersion":"1.09",' },
        { EventId: 'a2', EventName: 'GetObject', CloudTrailEvent: JSON.stringify(r2) },
      ],
      NextToken: 'next',
    };
    const decoded = decodeObject(text(JSON.stringify(page)), 'cloudtrail/us-east-1');
    expect(decoded.kind).toBe('events');
    expect(decoded.records.map((r) => [r.index, r.record.eventID])).toEqual([
      [0, 'a1'],
      [2, 'a2'],
    ]);
    expect(decoded.problems.map((p) => [p.index, p.reason])).toEqual([[1, 'not-json']]);
    expect(decoded.problems[0]?.detail).toContain('CloudTrailEvent of event bad is not JSON');
  });

  it('recognises Insights files and digest files', () => {
    const insight = record({
      eventType: 'AwsCloudTrailInsight',
      eventCategory: 'Insight',
      userIdentity: undefined,
    });
    expect(decodeObject(text(JSON.stringify({ Records: [insight] })), 'k').kind).toBe('insights');
    const digest = { awsAccountId: '111122223333', digestStartTime: 'x', digestEndTime: 'y', logFiles: [] };
    const d = decodeObject(
      gzipSync(JSON.stringify(digest)),
      'AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz',
    );
    expect(d).toEqual({ kind: 'digest', records: [], problems: [] });
  });

  it('keeps the complete records of a truncated gzip file and says it was truncated', () => {
    // random request ids keep the data from compressing to nothing, as real trails do
    const records = Array.from({ length: 50 }, (_, i) =>
      record({ eventID: `t${i}`, requestID: randomBytes(200).toString('hex') }),
    );
    const gz = gzipSync(JSON.stringify({ Records: records }));
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const d = decodeObject(cut, 'x.json.gz');
    expect(d.records.length).toBeGreaterThan(5);
    expect(d.records.length).toBeLessThan(50);
    expect(d.records.map((r) => r.record.eventID)).toEqual(
      records.slice(0, d.records.length).map((r) => r.eventID),
    );
    expect(d.problems.map((p) => p.reason)).toEqual(['truncated']);
  });

  it('quarantines a gzip file cut before any data', () => {
    const gz = gzipSync(JSON.stringify({ Records: [r1] }));
    const d = decodeObject(gz.subarray(0, 12), 'x.json.gz');
    expect(d.kind).toBe('invalid');
    expect(d.problems[0]?.reason).toBe('bad-gzip');
  });

  it('quarantines what is not JSON or not CloudTrail, keeping the good records beside it', () => {
    expect(decodeObject(text('hello, world'), 'x').problems.map((p) => p.reason)).toEqual(['not-json']);
    expect(decodeObject(text('{"name": "not a trail"}'), 'x').problems.map((p) => p.reason)).toEqual([
      'not-cloudtrail',
    ]);
    const mixed = decodeObject(text(JSON.stringify({ Records: [r1, 42, null, { foo: 1 }, r2] })), 'x');
    expect(mixed.records.map((r) => [r.index, r.record.eventID])).toEqual([
      [0, 'a1'],
      [4, 'a2'],
    ]);
    expect(mixed.problems.map((p) => [p.index, p.reason])).toEqual([
      [1, 'not-an-object'],
      [2, 'not-an-object'],
      [3, 'not-cloudtrail'],
    ]);
    const lines = decodeObject(text(`${JSON.stringify(r1)}\n{broken\n${JSON.stringify(r2)}`), 'x');
    expect(lines.records.map((r) => r.record.eventID)).toEqual(['a1', 'a2']);
    expect(lines.problems.map((p) => [p.reason, p.detail.startsWith('line 2')])).toEqual([
      ['not-json', true],
    ]);
    expect(decodeObject(text(''), 'x').kind).toBe('empty');
    expect(decodeObject(Buffer.from([0xff, 0xfe, 0x00, 0x01]), 'x').kind).toBe('invalid');
  });

  it('decodes the same bytes to the same indices every time (raw records are found by index)', () => {
    const bytes = text(JSON.stringify({ Records: [r1, 'junk', r2] }));
    expect(decodeObject(bytes, 'x')).toEqual(decodeObject(bytes, 'x'));
  });
});

describe('recordsAtIndexes', () => {
  /** What decodeObject finds at these indexes. */
  const decodedAt = (bytes: Buffer, indexes: number[]): Map<number, unknown> =>
    new Map(
      decodeObject(bytes, 'x.json.gz')
        .records.filter((r) => indexes.includes(r.index))
        .map((r) => [r.index, r.record]),
    );

  it('finds the records decodeObject numbers, whatever their strings hold', () => {
    const rng = createRng(5);
    // Characters that a scan for the array's elements must not take for structure.
    const tricky = ['"', '\\', '{', '}', '[', ']', ',', ' ', 'é', '\u2028', 'a', '\\"', '\\\\'];
    const text = (): string => Array.from({ length: rng.int(0, 12) }, () => rng.pick(tricky)).join('');
    const eb = { version: '0', id: 'x', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.s3' };
    for (let file = 0; file < 30; file++) {
      const items = Array.from({ length: rng.int(1, 25) }, (_, i) => {
        const r = record({
          eventID: `e${file}-${i}-${text()}`,
          requestParameters: { note: text(), nested: [[text()], { [text()]: text() }], n: rng.int(0, 9) },
        });
        // An EventBridge envelope and a JSON object that is no record are numbered too.
        return rng.chance(0.1) ? { ...eb, detail: r } : rng.chance(0.05) ? { not: text() } : r;
      });
      const body = JSON.stringify({ Records: items }, null, rng.chance(0.3) ? 2 : undefined);
      const bytes = rng.chance(0.5) ? gzipSync(body) : Buffer.from(`\ufeff \n${body}`);
      const wanted = items.map((_, i) => i).filter(() => rng.chance(0.4));
      expect(recordsAtIndexes(bytes, new Set(wanted))).toEqual(decodedAt(bytes, wanted));
    }
  });

  it("finds every record of the demo organisation's delivery files as decodeObject does", () => {
    const trail = generateDemoTrail({ end: Date.parse('2024-06-12T15:20:00Z') });
    let records = 0;
    for (const file of trail.files) {
      const bytes = gzipSync(serializeLogFile(file.records));
      const all = file.records.map((_, i) => i);
      const found = recordsAtIndexes(bytes, new Set(all));
      expect(found).toEqual(decodedAt(bytes, all));
      records += found?.size ?? 0;
    }
    expect(records).toBeGreaterThan(1000);
  });

  it('declines what is not a delivery file as CloudTrail writes it, or what it cannot scan', () => {
    const at = (bytes: Buffer, ...indexes: number[]) => recordsAtIndexes(bytes, new Set(indexes));
    const body = JSON.stringify({ Records: [r1, r2] });
    expect(at(Buffer.from(body), 1)?.get(1)).toEqual(r2);
    for (const other of [
      JSON.stringify([r1, r2]), // an array
      `${JSON.stringify(r1)}\n${JSON.stringify(r2)}`, // JSON lines
      JSON.stringify({ logEvents: [] }), // not Records first
      JSON.stringify({ Records: ['junk', r1] }), // values that are no object in the list
      JSON.stringify({ Records: [7, r1] }),
      JSON.stringify({ Records: [null, r1] }),
      JSON.stringify({ Records: [r1, r2] }).replace('"a2"', '"a2'), // a string left open
      body.replace('"a2"', '"a2",,'), // the wanted element is not JSON
      body.slice(0, -3), // the list never closes
    ])
      expect(at(Buffer.from(other), 1), other.slice(0, 40)).toBeNull();
    expect(at(gzipSync(body).subarray(0, 30), 0)).toBeNull(); // a gzip stream cut short
    // It stops at the last record wanted: what lies after it is not read (callers check what they get).
    expect(at(Buffer.from(`${body.slice(0, -2)}, {"broken`), 0)?.get(0)).toEqual(r1);
  });
});
