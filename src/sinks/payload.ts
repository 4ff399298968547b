// The JSON a notification travels as (webhook body, SNS message, JSONL line): stable fields, `id` for dedupe.
import type { JsonObject } from '../domain/json.js';
import type { Notification } from './port.js';

/** `{id, kind, alert, url, sentAt}`; `sentAt` is when this attempt was made (ISO 8601). */
export function notificationJson(notification: Notification, now: number): JsonObject {
  return {
    id: notification.id,
    kind: notification.kind,
    alert: notification.alert,
    url: notification.url,
    sentAt: new Date(now).toISOString(),
  };
}
