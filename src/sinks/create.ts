// Picks the sink for a configured destination: the one place that knows every sink type.
import { createConsoleSink, type ConsoleDestination } from './console.js';
import type { SinkDeps } from './deps.js';
import { createJsonlSink, type JsonlDestination } from './jsonl.js';
import { createPagerDutySink, type PagerDutyDestination } from './pagerduty.js';
import type { Sink } from './port.js';
import { createSlackSink, type SlackDestination } from './slack/sink.js';
import { createSmtpSink, type SmtpDestination } from './smtp/sink.js';
import { createSnsSink, type SnsDestination } from './sns/sink.js';
import { createWebhookSink, type WebhookDestination } from './webhook.js';

export type { ConsoleDestination } from './console.js';
export type { SinkDeps, FetchLike } from './deps.js';
export type { JsonlDestination } from './jsonl.js';
export type { PagerDutyDestination } from './pagerduty.js';
export type { SlackDestination } from './slack/sink.js';
export type { SmtpDestination } from './smtp/sink.js';
export type { SnsDestination } from './sns/sink.js';
export type { WebhookDestination } from './webhook.js';

/** A destination from the configuration: `name`, `type`, and that type's fields (secrets resolved). */
export type DestinationConfig =
  | ConsoleDestination
  | JsonlDestination
  | WebhookDestination
  | SlackDestination
  | PagerDutyDestination
  | SnsDestination
  | SmtpDestination;

export type DestinationType = DestinationConfig['type'];

/**
 * The sink for a destination. Throws a non-retryable SinkError when the destination cannot work at all
 * (an invalid URL, a header Trailwatch sets itself, an e-mail address that is not plain).
 */
export function createSink(destination: DestinationConfig, deps: SinkDeps = {}): Sink {
  switch (destination.type) {
    case 'console':
      return createConsoleSink(destination, deps);
    case 'jsonl':
      return createJsonlSink(destination, deps);
    case 'webhook':
      return createWebhookSink(destination, deps);
    case 'slack':
      return createSlackSink(destination, deps);
    case 'pagerduty':
      return createPagerDutySink(destination, deps);
    case 'sns':
      return createSnsSink(destination, deps);
    case 'smtp':
      return createSmtpSink(destination, deps);
  }
}
