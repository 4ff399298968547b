// The match view: the raw record as CloudTrail wrote it, plus attribution under `actor`.
import type { CloudTrailEvent, SessionNameCheckResult } from '../domain/event.js';
import type { Resolution } from '../domain/identity.js';
import type { Json, JsonObject } from '../domain/json.js';
import type { MatchView } from '../domain/rule.js';

export function buildView(
  raw: JsonObject,
  event: CloudTrailEvent,
  resolution: Resolution,
  sessionNameCheck: SessionNameCheckResult | null,
): MatchView {
  return {
    record: raw,
    actor: {
      type: event.actor.type,
      arn: event.actor.arn,
      accountId: event.actor.accountId,
      userName: event.actor.userName,
      sessionName: event.actor.sessionName,
      accessKeyId: event.actor.accessKeyId,
      origin: resolution.origin as unknown as JsonObject,
      resolvedBy: resolution.resolvedBy,
      confidence: resolution.confidence,
      chainLength: resolution.chain.length,
      chain: resolution.chain as unknown as Json,
    },
    sessionNameCheck: (sessionNameCheck as unknown as Json) ?? null,
  };
}
