// SNS sink: publishes the notification JSON to a topic, with severity and rule as message attributes.
import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { alertFields } from '../alert-fields.js';
import { resolveDeps, type SinkDeps } from '../deps.js';
import { notificationJson } from '../payload.js';
import { SinkError, type Notification, type Sink } from '../port.js';
import { redactUrl } from '../redact.js';
import { toSinkError } from './errors.js';

export interface SnsDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'sns';
  /** The topic, e.g. arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts (a `.fifo` topic deduplicates). */
  topicArn: string;
  /** The topic's region; defaults to the one in the topic ARN. */
  region?: string;
  /** An SNS-compatible endpoint (an emulator) instead of AWS, e.g. http://127.0.0.1:4566. */
  endpointUrl?: string;
  /** Static credentials; without them the SDK's default chain (environment, profile, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** How long one publish may take, in milliseconds (default 10000). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** A FIFO group or deduplication id: the value itself when SNS takes it, else its SHA-256. */
export function fifoId(value: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(value) ? value : createHash('sha256').update(value).digest('hex');
}

/** SNS subjects are at most 100 printable ASCII characters on one line. */
export function snsSubject(severity: string, title: string): string {
  const ascii = `[Trailwatch ${severity}] ${title}`.replace(/[^\x20-\x7e]/g, (c) => (c <= ' ' ? ' ' : '?'));
  return ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii;
}

export function createSnsSink(config: SnsDestination, deps: SinkDeps = {}): Sink {
  const { now } = resolveDeps(deps);
  const arn = TOPIC_ARN.exec(config.topicArn);
  if (!arn)
    throw new SinkError(
      `SNS "${config.name}": ${JSON.stringify(config.topicArn)} is not a topic ARN; ` +
        'expected e.g. arn:aws:sns:eu-west-1:123456789012:trailwatch-alerts.',
      false,
    );
  // The pattern always captures the region; the fallback only satisfies the type checker.
  const region = config.region ?? arn[1] ?? 'us-east-1';
  const isFifo = arn[2] !== undefined;
  const client = new SNSClient({
    region,
    ...(config.endpointUrl === undefined ? {} : { endpoint: config.endpointUrl }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    // One attempt: retries, with their backoff, belong to the dispatcher.
    maxAttempts: 1,
  });
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const target = `SNS "${config.name}" (${config.topicArn}${config.endpointUrl ? ` at ${redactUrl(config.endpointUrl)}` : ''})`;
  const secrets = [config.credentials?.secretAccessKey, config.credentials?.sessionToken];

  return {
    name: config.name,
    type: 'sns',
    async send(notification: Notification) {
      const f = alertFields(notification.alert);
      const command = new PublishCommand({
        TopicArn: config.topicArn,
        Subject: snsSubject(f.severity, f.title),
        Message: JSON.stringify(notificationJson(notification, now())),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: f.severity },
          rule: { DataType: 'String', StringValue: f.ruleId },
          kind: { DataType: 'String', StringValue: notification.kind },
        },
        // A FIFO topic orders an alert's notifications and drops a resend of the same one (for 5 minutes).
        ...(isFifo ? { MessageGroupId: fifoId(f.id), MessageDeduplicationId: fifoId(notification.id) } : {}),
      });
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        await client.send(command, { abortSignal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted)
          throw new SinkError(`Cannot publish to ${target}: no answer within ${timeoutMs} ms.`, true);
        throw toSinkError(error, target, secrets);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}
