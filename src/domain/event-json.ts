// The stable JSON shape of an event for machine-readable output (`--format jsonl`, the HTTP API).
import type { StoredEvent } from './event.js';
import { insightOf } from './insight.js';
import type { JsonObject } from './json.js';
import { resourceLabel } from './resource-label.js';

/**
 * One event as JSON: the normalized fields, the event time in ISO 8601, the attribution under
 * `actor.origin` / `actor.chain`, and the raw record under `raw`; an Insights event read with its raw
 * record also carries its `insight` (state, type, rates, attributions).
 */
export function eventToJson(e: StoredEvent): JsonObject {
  const { eventTime, origin, raw, resolution: _r, sessionNameCheck: _s, actor: _a, ...rest } = e;
  const insight = insightOf(raw);
  return {
    ...(rest as unknown as JsonObject),
    ...actorAndCheck(e),
    eventTime: new Date(eventTime).toISOString(),
    origin: { objectId: origin.objectId, index: origin.index },
    ...(insight ? { insight: insight as unknown as JsonObject } : {}),
    ...(raw ? { raw } : {}),
  };
}

/** The fields of an event a list shows (`view=list`), besides its actor, attribution and resource. */
export const LIST_FIELDS = [
  'eventId',
  'recipientAccountId',
  'eventSource',
  'eventName',
  'eventType',
  'eventCategory',
  'awsRegion',
  'sourceIpAddress',
  'errorCode',
  'readOnly',
] as const;

/**
 * One event in a list (`view=list`): LIST_FIELDS, the event time in ISO 8601, the actor with its
 * attribution, the session-name check, and `resource`, the one resource it is about (resourceLabel).
 */
export function eventToListJson(e: StoredEvent): JsonObject {
  const out: JsonObject = {};
  for (const k of LIST_FIELDS) out[k] = e[k];
  return {
    ...out,
    eventTime: new Date(e.eventTime).toISOString(),
    ...actorAndCheck(e),
    resource: resourceLabel(e),
  };
}

function actorAndCheck({ actor, resolution, sessionNameCheck }: StoredEvent): JsonObject {
  const attribution = resolution
    ? {
        origin: resolution.origin,
        chain: resolution.chain.map((h) => ({
          ...h,
          issuedAt: h.issuedAt === null ? null : new Date(h.issuedAt).toISOString(),
        })),
        resolvedBy: resolution.resolvedBy,
        confidence: resolution.confidence,
        resolutionDetail: resolution.detail,
      }
    : {};
  return {
    actor: { ...actor, ...attribution } as unknown as JsonObject,
    ...(sessionNameCheck ? { sessionNameCheck: sessionNameCheck as unknown as JsonObject } : {}),
  };
}
