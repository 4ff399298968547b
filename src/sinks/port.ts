// Sink port: a destination that notifications are delivered to (webhook, Slack, SNS, PagerDuty, e-mail, …).
import type { JsonObject } from '../domain/json.js';

/** One notification: an alert for one destination. `id` is stable across retries (idempotency key). */
export interface Notification {
  id: string;
  destination: string;
  /** `new` for the first notification of an alert, `update` when it changed (count, severity). */
  kind: 'new' | 'update' | 'test';
  /** The alert as `trailwatch alerts --format jsonl` prints it. */
  alert: JsonObject;
  /** Link to the alert in the web UI, when a base URL is configured. */
  url: string | null;
  createdAt: number;
}

export interface Sink {
  /** The destination's name in the configuration. */
  name: string;
  type: string;
  /** Delivers the notification or throws a SinkError. Must be safe to call again with the same id. */
  send(notification: Notification): Promise<void>;
  close?(): Promise<void>;
}

/** A failed delivery. `isRetryable` false means retrying cannot help (bad request, auth refused). */
export class SinkError extends Error {
  override readonly name = 'SinkError';
  constructor(
    message: string,
    readonly isRetryable: boolean,
  ) {
    super(message);
  }
}
