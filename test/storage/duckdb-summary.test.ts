// The explorer's counts come from one GROUPING SETS statement: checked against counts made in JS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailEvent } from '../../src/domain/event.js';
import type { EventQuery, FacetField, Store } from '../../src/storage/port.js';
import { FACET_COLUMNS } from '../../src/storage/columns.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-summary-'));
const T0 = Date.parse('2024-03-01T00:00:00Z');
const EVENTS = 3_000;
const FIELDS = Object.keys(FACET_COLUMNS) as FacetField[];

/** Skewed values with ties, missing values (no error code, no user agent) and a searched term. */
function nth(i: number): CloudTrailEvent {
  return event(
    {
      eventID: `ev-${i}`,
      eventTime: new Date(T0 + ((i * 7919) % EVENTS) * 1000).toISOString(),
      eventName: `Call${(i * i) % 23}`,
      eventSource: `svc${i % 7}.amazonaws.com`,
      awsRegion: ['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3],
      sourceIPAddress: `192.0.2.${i % 40}`,
      recipientAccountId: i % 5 ? '111122223333' : '444455556666',
      // A quarter without a user agent: no value ties with agent/0, agent/2 and agent/3.
      userAgent: i % 4 === 1 ? undefined : `agent/${i % 4}`,
      eventCategory: i % 13 ? 'Management' : 'Data',
      ...(i % 4 === 0 ? { errorCode: i % 8 ? 'AccessDenied' : 'ThrottlingException' } : {}),
      requestParameters: { bucketName: i % 9 === 0 ? 'Needle-Bucket' : `bucket-${i % 30}` },
    },
    `o${Math.floor(i / 1000)}`,
    i % 1000,
  );
}

const value: Record<FacetField, (e: CloudTrailEvent) => string | null> = {
  eventSource: (e) => e.eventSource,
  eventName: (e) => e.eventName,
  sourceIpAddress: (e) => e.sourceIpAddress,
  recipientAccountId: (e) => e.recipientAccountId,
  awsRegion: (e) => e.awsRegion,
  errorCode: (e) => e.errorCode,
  accessKeyId: (e) => e.actor.accessKeyId,
  userAgent: (e) => e.userAgent,
  identityType: (e) => e.actor.type,
  eventCategory: (e) => e.eventCategory,
};

/** Top values by count, then value ascending, no value last: what the explorer shows. */
function expectedTop(events: CloudTrailEvent[], field: FacetField, top: number) {
  const counts = new Map<string | null, number>();
  for (const e of events) counts.set(value[field](e), (counts.get(value[field](e)) ?? 0) + 1);
  const byValue = (a: string | null, b: string | null): number =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || byValue(a, b))
    .slice(0, top)
    .map(([v, count]) => ({ value: v, count }));
}

describe('DuckDB event summary', () => {
  const all = Array.from({ length: EVENTS }, (_, i) => nth(i));
  let store: Store;
  beforeAll(async () => {
    store = await openDuckDbStore(path.join(dir, 'summary.duckdb'));
    for (let o = 0; o < 3; o++) {
      const events = all.slice(o * 1000, (o + 1) * 1000);
      const objects = [objectRecord(`o${o}`, { records: events.length })];
      await store.appendBatch({ objects, events, quarantine: [], credentials: [], matches: [] });
    }
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, EventQuery, (e: CloudTrailEvent) => boolean][] = [
    ['no filter', {}, () => true],
    ['free text', { text: 'needle-bucket' }, (e) => JSON.stringify(e.requestParameters).includes('Needle')],
    ['failures', { outcome: 'failure' }, (e) => e.errorCode !== null],
    [
      'event names',
      { eventNames: ['Call1', 'Call4'] },
      (e) => e.eventName === 'Call1' || e.eventName === 'Call4',
    ],
  ];
  for (const [name, q, keep] of cases) {
    it(`counts every facet and the totals in one statement: ${name}`, async () => {
      const events = all.filter(keep);
      expect(events.length).toBeGreaterThan(0);
      for (const top of [3, 10]) {
        const s = await store.summarizeEvents(q, FIELDS, top);
        const times = events.map((e) => e.eventTime);
        expect(s.count).toBe(events.length);
        expect(s.errors).toBe(events.filter((e) => e.errorCode !== null).length);
        expect(s.firstSeen).toBe(Math.min(...times));
        expect(s.lastSeen).toBe(Math.max(...times));
        for (const f of FIELDS) expect(s.facets[f], `${f}, top ${top}`).toEqual(expectedTop(events, f, top));
      }
    });
  }

  it('answers totals alone, repeated fields once, and an empty result', async () => {
    const alone = await store.summarizeEvents({ text: 'needle-bucket' }, []);
    expect(alone).toMatchObject({
      count: 334,
      errors: all.filter((e, i) => i % 9 === 0 && e.errorCode !== null).length,
      facets: {},
    });
    expect(alone.lastSeen).toBeGreaterThan(alone.firstSeen ?? Infinity);
    const twice = await store.summarizeEvents({}, ['awsRegion', 'awsRegion'], 2);
    expect(twice.facets.awsRegion).toEqual(expectedTop(all, 'awsRegion', 2));
    expect(await store.summarizeEvents({ eventNames: ['Nothing'] }, ['awsRegion', 'errorCode'])).toEqual({
      count: 0,
      firstSeen: null,
      lastSeen: null,
      errors: 0,
      facets: { awsRegion: [], errorCode: [] },
    });
  });
});
