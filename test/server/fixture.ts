// Test fixture: a real DuckDB store in a temp dir with the demo trail (and hostile records) ingested.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadRuleSet, openStore } from '../../src/app.js';
import type { JsonObject } from '../../src/domain/json.js';
import type { CompiledRule } from '../../src/domain/rule.js';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { writeDemoTrail } from '../../src/demo/write.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import type { Store } from '../../src/storage/port.js';
import { BASE_RECORD } from '../helpers/records.js';

export const END = Date.parse('2024-06-12T15:20:00Z');
export const XSS_IMG = '<img src=x onerror="window.__xss=1">';
export const XSS_SCRIPT = '<script>window.__xss=2</script>';
export const INSIGHT_ID = 'insight-start-1';

/** A CloudTrail Insights Start/End pair, shaped as AWS documents them; one attribution is hostile text. */
export function insightRecords(): JsonObject[] {
  const details = (state: string): JsonObject => ({
    state,
    eventSource: 's3.amazonaws.com',
    eventName: 'DeleteBucket',
    insightType: 'ApiCallRateInsight',
    insightContext: {
      statistics: {
        baseline: { average: 0.0208 },
        insight: { average: 4.5 },
        insightDuration: 8,
        baselineDuration: 10079,
      },
      attributions: [
        {
          attribute: 'userIdentityArn',
          insight: [{ value: 'arn:aws:iam::111122223333:user/backup-admin', average: 4.5 }],
          baseline: [{ value: 'arn:aws:iam::111122223333:role/ci-deployer', average: 0.0208 }],
        },
        {
          attribute: 'userAgent',
          insight: [{ value: XSS_IMG, average: 4.5 }],
          baseline: [{ value: 'aws-cli/2.15.0', average: 0.0208 }],
        },
        { attribute: 'errorCode', insight: [{ value: 'null', average: 4.5 }], baseline: [] },
      ],
    },
  });
  const base = {
    eventVersion: '1.08',
    awsRegion: 'us-east-1',
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: '111122223333',
    sharedEventID: 'insight-shared-1',
    eventCategory: 'Insight',
  };
  return [
    {
      ...base,
      eventTime: new Date(END - 30 * 60_000).toISOString(),
      eventID: INSIGHT_ID,
      insightDetails: details('Start'),
    },
    {
      ...base,
      eventTime: new Date(END - 20 * 60_000).toISOString(),
      eventID: 'insight-end-1',
      insightDetails: details('End'),
    },
  ];
}

export interface Fixture {
  dir: string;
  store: Store;
  rules: CompiledRule[];
  cleanup(): Promise<void>;
}

export async function loadFixture(): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-serve-'));
  const trailDir = path.join(dir, 'trail');
  await writeDemoTrail(generateDemoTrail({ end: END }), trailDir);
  const hostileDir = path.join(dir, 'hostile');
  const hostile = [XSS_IMG, XSS_SCRIPT].map((payload, i) => ({
    ...BASE_RECORD,
    eventID: `xss-event-${i}`,
    eventTime: new Date(END - 60_000 * (i + 1)).toISOString(),
    eventName: 'PutBucketTagging',
    userAgent: payload,
    requestParameters: { bucketName: 'probe', tag: payload },
    recipientAccountId: '111122223333',
  }));
  const file = path.join(hostileDir, 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/12/hostile.json.gz');
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
  writeFileSync(file, gzipSync(JSON.stringify({ Records: hostile })));
  const insights = path.join(
    hostileDir,
    'AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/06/12/insight.json.gz',
  );
  await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(insights), { recursive: true }));
  writeFileSync(insights, gzipSync(JSON.stringify({ Records: insightRecords() })));
  const store = await openStore(path.join(dir, 'store.duckdb'), () => END);
  const { rules } = await loadRuleSet(undefined, dir);
  await ingest(store, [createLocalSource([trailDir, hostileDir])], { detection: { rules, now: () => END } });
  return {
    dir,
    store,
    rules,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
