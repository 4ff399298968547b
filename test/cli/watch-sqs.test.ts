// watch --sqs against a real SQS- and S3-compatible server on 127.0.0.1: every notification shape,
// messages deleted only after their objects are stored, poison messages dead-lettered.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWatch } from '../../src/cli/watch.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';
import { startS3Server, TEST_CREDENTIALS, type S3Server } from '../helpers/s3-server.js';
import { logIo } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-sqs-'));
const db = path.join(dir, 'sqs.duckdb');
let s3: S3Server;
let sqs: SQSClient;
let queueUrl = '';

const key = (n: number) =>
  `AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T120${n}Z_f${n}.json.gz`;
const file = (n: number) =>
  gzipSync(
    JSON.stringify({
      Records: [
        deepMerge(
          { ...BASE_TEST_RECORD, eventID: `q${n}` },
          { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' },
        ),
      ],
    }),
  );
const s3Event = (k: string) => ({
  Records: [
    {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'trail' }, object: { key: encodeURIComponent(k) } },
    },
  ],
});

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  s3 = await startS3Server();
  await s3.createBucket('trail');
  for (const n of [1, 2, 3, 4]) await s3.put('trail', key(n), file(n));
  sqs = new SQSClient({ endpoint: s3.endpointUrl, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  queueUrl =
    (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'trail-events', Attributes: { VisibilityTimeout: '1' } }),
      )
    ).QueueUrl ?? '';
});
afterAll(async () => {
  sqs.destroy();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (body: unknown) =>
  sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );

async function queued(): Promise<number> {
  const r = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

describe('trailwatch watch --sqs', () => {
  it('stores the objects of every notification shape, deletes handled messages and dead-letters poison', async () => {
    await send(s3Event(key(1))); // S3 -> SQS
    await send({ Type: 'Notification', Message: JSON.stringify(s3Event(key(2))) }); // S3 -> SNS -> SQS, wrapped
    await send({
      Type: 'Notification',
      Message: JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key(3), key(4)] }),
    }); // CloudTrail's notice
    await send({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'trail' });
    await send('this is not a notification');
    await send(s3Event(key(9))); // an object that does not exist: retried, then dead-lettered
    const { io, log: logged } = logIo(dir, Date.now);
    const abort = new AbortController();
    const running = runWatch(
      [
        '--sqs',
        queueUrl,
        '--endpoint-url',
        s3.endpointUrl,
        '--region',
        'us-east-1',
        '--wait',
        '1',
        '--max-receives',
        '2',
        '--db',
        db,
      ],
      io,
      abort.signal,
    );
    const started = Date.now();
    while ((await queued()) > 0 && Date.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    expect(await running, logged()).toBe(0);
    expect(await queued()).toBe(0);
    const store = await openDuckDbStore(db);
    try {
      expect((await store.searchEvents({})).map((e) => e.eventId).sort()).toEqual(['q1', 'q2', 'q3', 'q4']);
      expect((await store.alerts({})).length).toBeGreaterThan(0); // StopLogging is detected
    } finally {
      await store.close();
    }
    const deadFile = `${db}.dead-letters.jsonl`;
    expect(existsSync(deadFile)).toBe(true);
    const dead = readFileSync(deadFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; body: string; receiveCount: number });
    expect(dead.map((d) => d.body).sort()).toEqual(
      [JSON.stringify(s3Event(key(9))), 'this is not a notification'].sort(),
    );
    expect(dead.find((d) => d.body.includes('f9'))?.receiveCount).toBe(2);
  });
});
