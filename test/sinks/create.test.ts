// createSink: every destination type gets its sink; a destination that cannot work fails at creation.
import { describe, expect, it } from 'vitest';
import { createSink, type DestinationConfig } from '../../src/sinks/create.js';
import { SinkError } from '../../src/sinks/port.js';

const DESTINATIONS: DestinationConfig[] = [
  { name: 'stderr', type: 'console' },
  { name: 'archive', type: 'jsonl', path: '/tmp/trailwatch-never-written.jsonl' },
  { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/in', secret: 's3cret', timeoutMs: 5000 },
  { name: 'soc', type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/X' },
  { name: 'pd', type: 'pagerduty', routingKey: 'key' },
  { name: 'topic', type: 'sns', topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts' },
  { name: 'mail', type: 'smtp', host: 'smtp.example.com', from: 'tw@example.com', to: ['soc@example.com'] },
];

describe('createSink', () => {
  it('creates the sink of each type under the destination name', async () => {
    const sinks = DESTINATIONS.map((d) => createSink(d));
    expect(sinks.map((s) => [s.name, s.type])).toEqual(DESTINATIONS.map((d) => [d.name, d.type]));
    for (const sink of sinks) await sink.close?.();
  });

  it('throws a SinkError that is not retryable for a destination that cannot work', () => {
    let error: unknown;
    try {
      createSink({ name: 'hook', type: 'webhook', url: 'hooks.example.com/in' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).isRetryable).toBe(false);
    expect((error as SinkError).message).toBe(
      'webhook "hook" ((an invalid URL)): the URL is not valid; expected e.g. https://hooks.example.com/alerts.',
    );
  });
});
