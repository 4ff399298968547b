// The stable JSON shape of an event for machine-readable output (`--format jsonl`, the HTTP API).
import type { StoredEvent } from './event.js';
import type { JsonObject } from './json.js';

/** One event as JSON: the normalized fields, the event time in ISO 8601, and the raw record under `raw`. */
export function eventToJson(e: StoredEvent): JsonObject {
  const { eventTime, origin, raw, ...rest } = e;
  return {
    ...(rest as unknown as JsonObject),
    eventTime: new Date(eventTime).toISOString(),
    origin: { objectId: origin.objectId, index: origin.index },
    ...(raw ? { raw } : {}),
  };
}
