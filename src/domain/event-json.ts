// The stable JSON shape of an event for machine-readable output (`--format jsonl`, the HTTP API).
import type { StoredEvent } from './event.js';
import { insightOf } from './insight.js';
import type { JsonObject } from './json.js';

/**
 * One event as JSON: the normalized fields, the event time in ISO 8601, the attribution under
 * `actor.origin` / `actor.chain`, and the raw record under `raw`; an Insights event read with its raw
 * record also carries its `insight` (state, type, rates, attributions).
 */
export function eventToJson(e: StoredEvent): JsonObject {
  const { eventTime, origin, raw, resolution, sessionNameCheck, actor, ...rest } = e;
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
  const insight = insightOf(raw);
  return {
    ...(rest as unknown as JsonObject),
    actor: { ...actor, ...attribution } as unknown as JsonObject,
    ...(sessionNameCheck ? { sessionNameCheck: sessionNameCheck as unknown as JsonObject } : {}),
    eventTime: new Date(eventTime).toISOString(),
    origin: { objectId: origin.objectId, index: origin.index },
    ...(insight ? { insight: insight as unknown as JsonObject } : {}),
    ...(raw ? { raw } : {}),
  };
}
