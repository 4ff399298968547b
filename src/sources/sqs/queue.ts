// An SQS queue of notifications, through the AWS SDK (default credential chain or given settings).
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SourceError, type NotificationQueue, type QueueMessage } from '../port.js';

export interface SqsQueueOptions {
  url: string;
  region?: string;
  endpointUrl?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Long-poll wait in seconds (0–20). */
  waitSeconds?: number;
}

export function createSqsQueue(o: SqsQueueOptions): NotificationQueue {
  const region = o.region ?? /sqs\.([a-z0-9-]+)\.amazonaws/.exec(o.url)?.[1] ?? 'us-east-1';
  const client = new SQSClient({
    region,
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  const fail = (action: string, err: unknown): SourceError =>
    new SourceError(`cannot ${action} the queue ${o.url}: ${(err as Error).message}`);
  return {
    async receive(max) {
      try {
        const r = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: o.url,
            MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
            WaitTimeSeconds: o.waitSeconds ?? 20,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        return (r.Messages ?? []).map((m): QueueMessage => ({
          id: m.MessageId ?? '',
          receipt: m.ReceiptHandle ?? '',
          body: m.Body ?? '',
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        }));
      } catch (err) {
        throw fail('receive from', err);
      }
    },
    async remove(messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const chunk = messages.slice(i, i + 10);
        try {
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: o.url,
              Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.receipt })),
            }),
          );
        } catch (err) {
          throw fail('delete from', err);
        }
      }
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}
