// Consuming a real SQS-compatible queue counts messages by outcome and the objects they announce.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNotificationQueue, createS3Client, s3Object } from '../../src/app.js';
import { formatExposition } from '../../src/metrics/exposition.js';
import { consumeOnce } from '../../src/pipeline/consume.js';
import { createPipelineMetrics } from '../../src/pipeline/metrics.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { parseExposition, sampleValue } from '../helpers/exposition.js';
import { record } from '../helpers/records.js';
import { startS3Server, TEST_CREDENTIALS, type S3Server } from '../helpers/s3-server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-consume-metrics-'));
const KEY =
  'AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1200Z_m.json.gz';
let s3: S3Server;
let sqs: SQSClient;
let queueUrl = '';

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  s3 = await startS3Server();
  await s3.createBucket('trail');
  await s3.put('trail', KEY, gzipSync(JSON.stringify({ Records: [record({ eventID: 'sqs-1' })] })));
  sqs = new SQSClient({ endpoint: s3.endpointUrl, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'metrics-events' }))).QueueUrl ?? '';
});
afterAll(async () => {
  sqs.destroy();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

it('counts removed and dead-lettered messages and the events they brought', async () => {
  const notification = {
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'trail' }, object: { key: KEY } },
      },
    ],
  };
  for (const body of [JSON.stringify(notification), 'not a notification'])
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const store = await openDuckDbStore(path.join(dir, 's.duckdb'));
  const queue = createNotificationQueue(queueUrl, {
    endpointUrl: s3.endpointUrl,
    region: 'us-east-1',
    waitSeconds: 1,
  });
  const client = createS3Client({ endpointUrl: s3.endpointUrl, region: 'us-east-1' });
  const metrics = createPipelineMetrics();
  const dead: string[] = [];
  try {
    let handled = 0;
    for (let round = 0; round < 10 && handled < 2; round++) {
      const s = await consumeOnce(store, queue, {
        metrics,
        resolve: (o) => s3Object(client, o.bucket, o.key, o.etag, o.size),
        maxReceives: 3,
        onDeadLetter: (m, reason) => Promise.resolve(void dead.push(reason)),
      });
      handled += s.removed;
    }
    const p = parseExposition(formatExposition(metrics.registry.families()));
    expect(sampleValue(p, 'trailwatch_queue_messages_total', { outcome: 'removed' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_queue_messages_total', { outcome: 'dead-lettered' })).toBe(1);
    expect(sampleValue(p, 'trailwatch_queue_messages_total', { outcome: 'retried' })).toBe(0);
    expect(sampleValue(p, 'trailwatch_events_ingested_total')).toBe(1);
    expect(dead).toHaveLength(1);
  } finally {
    await queue.close();
    client.destroy();
    await store.close();
  }
});
