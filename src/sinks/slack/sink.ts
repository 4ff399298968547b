// Slack sink: posts a readable message to an incoming webhook.
import { resolveDeps, type SinkDeps } from '../deps.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpEndpoint, post } from '../http.js';
import type { Notification, Sink } from '../port.js';
import { redactUrl } from '../redact.js';
import { slackMessage } from './message.js';

export interface SlackDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'slack';
  /** The incoming webhook URL (https://hooks.slack.com/services/…): a secret, never shown in messages. */
  webhookUrl: string;
  /** How long to wait for Slack's answer, in milliseconds (default 10000). */
  timeoutMs?: number;
}

export function createSlackSink(config: SlackDestination, deps: SinkDeps = {}): Sink {
  const { fetch } = resolveDeps(deps);
  // The path of a Slack webhook URL is its secret: messages show the host only.
  const target = `Slack "${config.name}" (${redactUrl(config.webhookUrl, false)})`;
  const { url, authorization } = httpEndpoint(config.webhookUrl, target);
  const path = new URL(config.webhookUrl).pathname;
  return {
    name: config.name,
    type: 'slack',
    async send(notification: Notification) {
      await post({
        target,
        url,
        body: JSON.stringify(slackMessage(notification)),
        headers: {
          'Content-Type': 'application/json',
          ...(authorization === null ? {} : { Authorization: authorization }),
        },
        timeoutMs: config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        fetch,
        secrets: [config.webhookUrl, path.length > 1 ? path : undefined, authorization ?? undefined],
      });
    },
  };
}
