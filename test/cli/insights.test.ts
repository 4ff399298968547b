// search shows CloudTrail Insights events as such: a category filter, a marked row with what the Insight
// reports, and the Insight's details in JSON lines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';
import { insightRecords } from '../server/fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-insights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('search and Insights events', () => {
  it('filters by category, marks Insight rows with what they report, and prints insightDetails in jsonl', async () => {
    const logs = path.join(dir, 'AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/06/12');
    mkdirSync(logs, { recursive: true });
    writeFileSync(path.join(logs, 'insight.json'), JSON.stringify({ Records: insightRecords() }));
    writeFileSync(path.join(dir, 'call.json'), JSON.stringify({ Records: [record({ eventID: 'call-1' })] }));
    const db = path.join(dir, 'insights.duckdb');
    expect((await cli(['ingest', dir, '--db', db, '--no-rules'])).code).toBe(0);

    const table = await cli(['search', '--db', db, '--event-category', 'insight']);
    const rows = table.out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toContain('INSIGHT DeleteBucket');
    expect(table.out).toContain('ApiCallRateInsight Start 4.5/min (base 0.02/min)');
    expect(table.out).toContain('ApiCallRateInsight End 4.5/min (base 0.02/min)');

    const lines = (await cli(['search', '--db', db, '--format', 'jsonl'])).out.trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as { eventId: string; insight?: { state: string } });
    expect(parsed.map((e) => [e.eventId, e.insight?.state ?? null]).sort()).toEqual([
      ['call-1', null],
      ['insight-end-1', 'End'],
      ['insight-start-1', 'Start'],
    ]);
  });
});
