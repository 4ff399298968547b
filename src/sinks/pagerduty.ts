// PagerDuty sink: triggers an incident through the Events API v2, deduplicated by alert id.
import type { JsonObject } from '../domain/json.js';
import { alertFields, originText } from './alert-fields.js';
import { resolveDeps, type SinkDeps } from './deps.js';
import { DEFAULT_HTTP_TIMEOUT_MS, httpEndpoint, post } from './http.js';
import type { Notification, Sink } from './port.js';
import { redactUrl } from './redact.js';
import { oneLine } from './text.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'pagerduty';
  /** The integration's routing key (Events API v2): a secret, never shown in messages. */
  routingKey: string;
  /** The Events API URL (default https://events.pagerduty.com/v2/enqueue; EU accounts use events.eu.pagerduty.com). */
  endpoint?: string;
  /** How long to wait for PagerDuty's answer, in milliseconds (default 10000). */
  timeoutMs?: number;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Ours to PagerDuty's four: critical, high → error, medium → warning, low and info → info. */
export function pagerDutySeverity(severity: string): PagerDutySeverity {
  if (severity === 'critical') return 'critical';
  if (severity === 'high') return 'error';
  if (severity === 'medium') return 'warning';
  return 'info';
}

/** The Events API v2 trigger; `dedup_key` is the alert id, so an update folds into the open incident. */
export function pagerDutyEvent(notification: Notification, routingKey: string): JsonObject {
  const f = alertFields(notification.alert);
  const optional: JsonObject = {};
  const component = originText(f) ?? f.actorArn;
  if (component !== null) optional.component = oneLine(component).slice(0, 255);
  if (f.region !== null) optional.group = f.region;
  const event: JsonObject = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: f.id,
    payload: {
      summary: oneLine(`[${f.severity}] ${f.title}`).slice(0, 1024),
      source: f.account === null ? 'trailwatch' : `aws account ${f.account}`,
      severity: pagerDutySeverity(f.severity),
      ...(f.firstSeen === null ? {} : { timestamp: f.firstSeen }),
      ...optional,
      class: f.ruleId,
      custom_details: notification.alert,
    },
  };
  if (notification.url !== null) event.links = [{ href: notification.url, text: 'Open in Trailwatch' }];
  return event;
}

export function createPagerDutySink(config: PagerDutyDestination, deps: SinkDeps = {}): Sink {
  const { fetch } = resolveDeps(deps);
  const configured = config.endpoint ?? PAGERDUTY_EVENTS_URL;
  const target = `PagerDuty "${config.name}" (${redactUrl(configured)})`;
  const { url, authorization } = httpEndpoint(configured, target);
  return {
    name: config.name,
    type: 'pagerduty',
    async send(notification: Notification) {
      // PagerDuty answers 202 Accepted; any 2xx is taken as delivered.
      await post({
        target,
        url,
        body: JSON.stringify(pagerDutyEvent(notification, config.routingKey)),
        headers: {
          'Content-Type': 'application/json',
          ...(authorization === null ? {} : { Authorization: authorization }),
        },
        timeoutMs: config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
        fetch,
        secrets: [config.routingKey, configured, authorization ?? undefined],
      });
    },
  };
}
