// The SNS sink against a real in-process SNS/SQS server (fauxqs on 127.0.0.1): the message read back from a
// subscribed queue, and error classification (also by the HTTP Sink contract, on a programmable server).
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsSink, fifoId, snsSubject } from '../../src/sinks/sns/sink.js';
import { now, sampleAlert, sampleNotification, sendError } from './fixtures.js';
import { runHttpSinkContract } from './sink-contract.js';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test-secret-key' };
const REGION = 'us-east-1';

runHttpSinkContract('sns', {
  makeSink: (url, timeoutMs) =>
    createSnsSink({
      name: 'topic',
      type: 'sns',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:alerts',
      endpointUrl: url,
      credentials: CREDENTIALS,
      timeoutMs,
    }),
  // What SNS answers a Publish.
  accepted: {
    status: 200,
    headers: { 'Content-Type': 'text/xml' },
    body:
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
      '<MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>' +
      '</ResponseMetadata></PublishResponse>',
  },
});

interface QueueView {
  arn: string;
  messages: { ready: { body: string }[] };
}

describe('sns sink on fauxqs', () => {
  let app: ReturnType<typeof buildApp>;
  let endpointUrl: string;
  let sns: SNSClient;
  let topicArn: string;

  /** SQS speaks AWS JSON 1.0; fauxqs does not check signatures, so plain fetch can create a queue. */
  async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
    const response = await fetch(endpointUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AmazonSQS.CreateQueue' },
      body: JSON.stringify({ QueueName: name, Attributes: attributes }),
    });
    expect(response.status).toBe(200);
    return (await inspectQueue(name)).arn;
  }

  /** fauxqs's non-destructive view of a queue's messages. */
  async function inspectQueue(name: string): Promise<QueueView> {
    const response = await fetch(`${endpointUrl}/_fauxqs/queues/${name}`);
    return (await response.json()) as QueueView;
  }

  beforeAll(async () => {
    // buildApp + listen on 127.0.0.1: fauxqs's own start helper binds every interface.
    app = buildApp({ logger: false });
    endpointUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    sns = new SNSClient({ region: REGION, endpoint: endpointUrl, credentials: CREDENTIALS });
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'trailwatch-alerts' }))).TopicArn ?? '';
    const queueArn = await createQueue('alerts-inbox');
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  });
  afterAll(async () => {
    sns.destroy();
    await app.close();
  });

  it('publishes the notification JSON with a subject and severity, rule and kind attributes', async () => {
    const sink = createSnsSink(
      { name: 'topic', type: 'sns', topicArn, endpointUrl, credentials: CREDENTIALS },
      { now },
    );
    await sink.send(sampleNotification());
    await sink.close?.();
    const { messages } = await inspectQueue('alerts-inbox');
    expect(messages.ready).toHaveLength(1);
    const envelope = JSON.parse(messages.ready[0]?.body ?? '') as Record<string, unknown>;
    expect(envelope.TopicArn).toBe(topicArn);
    expect(envelope.Subject).toBe('[Trailwatch high] Root console login from 203.0.113.9');
    expect(JSON.parse(envelope.Message as string)).toEqual({
      id: 'n-5d41402a',
      kind: 'new',
      alert: sampleAlert(),
      url: 'https://trailwatch.example/alerts/a-7f3c',
      sentAt: '2026-11-02T10:06:40.000Z',
    });
    expect(envelope.MessageAttributes).toEqual({
      severity: { Type: 'String', Value: 'high' },
      rule: { Type: 'String', Value: 'aws-root-console-login' },
      kind: { Type: 'String', Value: 'new' },
    });
  });

  it('makes an unknown topic a SinkError that is not retryable', async () => {
    const missing = topicArn.replace(/[^:]+$/, 'no-such-topic');
    const sink = createSnsSink({
      name: 'topic',
      type: 'sns',
      topicArn: missing,
      endpointUrl,
      credentials: CREDENTIALS,
    });
    const error = await sendError(sink.send(sampleNotification()));
    await sink.close?.();
    expect(error).toEqual({
      message: `Cannot publish to SNS "topic" (${missing} at ${endpointUrl}/): NotFoundException: Topic does not exist (HTTP 404)`,
      isRetryable: false,
    });
  });

  it('deduplicates a resent notification on a FIFO topic, grouping by alert', async () => {
    const fifoTopic = await sns.send(
      new CreateTopicCommand({ Name: 'trailwatch-alerts.fifo', Attributes: { FifoTopic: 'true' } }),
    );
    const queueArn = await createQueue('alerts-inbox.fifo', { FifoQueue: 'true' });
    await sns.send(
      new SubscribeCommand({ TopicArn: fifoTopic.TopicArn, Protocol: 'sqs', Endpoint: queueArn }),
    );
    const sink = createSnsSink({
      name: 'topic',
      type: 'sns',
      topicArn: fifoTopic.TopicArn ?? '',
      endpointUrl,
      credentials: CREDENTIALS,
    });
    await sink.send(sampleNotification());
    await sink.send(sampleNotification());
    await sink.send(sampleNotification({ id: 'n-update', kind: 'update' }));
    await sink.close?.();
    const { messages } = await inspectQueue('alerts-inbox.fifo');
    const ids = messages.ready.map((m) => {
      const envelope = JSON.parse(m.body) as { Message: string };
      return (JSON.parse(envelope.Message) as { id: string }).id;
    });
    expect(ids).toEqual(['n-5d41402a', 'n-update']);
  });

  it('refuses at creation a topic ARN that is not one', () => {
    expect(() => createSnsSink({ name: 'topic', type: 'sns', topicArn: 'trailwatch-alerts' })).toThrow(
      'SNS "topic": "trailwatch-alerts" is not a topic ARN; expected e.g. arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts.',
    );
    expect(fifoId('n-1')).toBe('n-1');
    expect(fifoId('x'.repeat(200))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps subjects to 100 printable ASCII characters', () => {
    expect(snsSubject('high', 'Zugriff für Müller\r\nBcc: x')).toBe(
      '[Trailwatch high] Zugriff f?r M?ller  Bcc: x',
    );
    const long = snsSubject('low', 'x'.repeat(200));
    expect(long).toHaveLength(100);
    expect(long.endsWith('x...')).toBe(true);
  });
});
