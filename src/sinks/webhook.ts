// Webhook sink: POSTs the notification JSON, signed with HMAC-SHA256 when a secret is configured.
import { createHmac } from 'node:crypto';
import { resolveDeps, type SinkDeps } from './deps.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpEndpoint, post } from './http.js';
import { notificationJson } from './payload.js';
import { SinkError, type Notification, type Sink } from './port.js';
import { redactUrl } from './redact.js';

export interface WebhookDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'webhook';
  /** Where to POST, e.g. https://hooks.example.com/trailwatch; `user:password@` in it becomes Basic auth. */
  url: string;
  /** Shared secret: when set, each request carries `X-Trailwatch-Signature: sha256=<hex HMAC>`. */
  secret?: string;
  /** Extra request headers, e.g. `{ Authorization: 'Bearer …' }`; cannot replace the headers Trailwatch sets. */
  headers?: Record<string, string>;
  /** How long to wait for the answer, in milliseconds (default 10000). */
  timeoutMs?: number;
}

const OWN_HEADERS = ['content-type', 'x-trailwatch-id', 'x-trailwatch-timestamp', 'x-trailwatch-signature'];

/** `sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it and rejects stale timestamps. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookSink(config: WebhookDestination, deps: SinkDeps = {}): Sink {
  const { fetch, now } = resolveDeps(deps);
  const target = `webhook "${config.name}" (${redactUrl(config.url)})`;
  const endpoint = httpEndpoint(config.url, target);
  const extra = config.headers ?? {};
  for (const name of Object.keys(extra))
    if (OWN_HEADERS.includes(name.toLowerCase()))
      throw new SinkError(`${target}: header ${name} is set by Trailwatch; remove it from 'headers'.`, false);
  try {
    new Headers(extra);
  } catch (error) {
    throw new SinkError(`${target}: invalid 'headers' (${(error as Error).message}).`, false);
  }

  return {
    name: config.name,
    type: 'webhook',
    async send(notification: Notification) {
      const sentAt = now();
      const timestamp = Math.floor(sentAt / 1000);
      const body = JSON.stringify(notificationJson(notification, sentAt));
      const headers: Record<string, string> = {
        ...(endpoint.authorization === null ? {} : { Authorization: endpoint.authorization }),
        ...extra,
        'Content-Type': 'application/json',
        'X-Trailwatch-Id': notification.id,
        'X-Trailwatch-Timestamp': String(timestamp),
      };
      if (config.secret !== undefined)
        headers['X-Trailwatch-Signature'] = webhookSignature(config.secret, timestamp, body);
      await post({
        target,
        url: endpoint.url,
        body,
        headers,
        timeoutMs: config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        fetch,
        secrets: [config.secret, config.url, endpoint.authorization ?? undefined, ...Object.values(extra)],
      });
    },
  };
}
