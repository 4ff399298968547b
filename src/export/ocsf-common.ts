// OCSF pieces shared by events and findings: version, product, cloud, the resolved origin as an enrichment.
import type { Hop, Origin, Resolution } from '../domain/identity.js';
import type { Json, JsonObject } from '../domain/json.js';

/** The OCSF schema version the output follows (the version of the reference's CloudTrail mappings). */
export const OCSF_VERSION = '1.1.0';

export const PRODUCT: JsonObject = { name: 'Trailwatch', vendor_name: 'Trailwatch' };

/** Drops null, undefined, empty objects and empty arrays, so the output carries only what is known. */
export function compact(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(compact).filter((v): v is Json => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const c = compact(v);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value as Json;
}

export const timeDt = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export function cloudOf(account: string | null, region: string | null): JsonObject {
  return {
    provider: 'AWS',
    region,
    account: account ? { uid: account, type: 'AWS Account', type_id: 10 } : null,
  };
}

const hopOf = (h: Hop) => ({
  uid: h.arn,
  access_key_id: h.accessKeyId,
  kind: h.kind,
  role_arn: h.roleArn,
  session_name: h.sessionName,
  issued_time: h.issuedAt,
  event_uid: h.eventId,
  src_ip: h.sourceIpAddress,
});

/**
 * OCSF's actor has no place for "who is really behind this session", so the resolved origin is an
 * enrichment of `actor.user.uid` (the acting ARN), with the chain and how it was found.
 */
export function originEnrichment(
  actingArn: string | null,
  origin: Origin,
  resolution?: Resolution,
): JsonObject {
  return {
    name: 'actor.user.uid',
    value: actingArn ?? origin.id,
    type: 'identity-origin',
    provider: 'Trailwatch',
    data: {
      origin: { type: origin.type, uid: origin.id, name: origin.name, account_uid: origin.accountId },
      ...(resolution
        ? {
            resolved_by: resolution.resolvedBy,
            confidence: resolution.confidence,
            detail: resolution.detail,
            chain: resolution.chain.map(hopOf),
          }
        : {}),
    },
  };
}
