// Attribution of events against known ledger rows: each event's resolution and session-name check.
import type { CloudTrailEvent, StoredEvent } from '../domain/event.js';
import type { Resolution, StoredCredential } from '../domain/identity.js';
import { extractCredential } from './extract.js';
import { resolveActor } from './resolve.js';
import { checkSessionName, DEFAULT_SESSION_NAME_POLICY, type SessionNamePolicy } from './session-name.js';

/**
 * The role owner's copy of a cross-account call shows the caller only as `AWSAccount`; the ledger
 * row of the key it issued comes from the caller's copy (same sharedEventID) and knows who called.
 */
function resolveOwnerCopy(
  e: CloudTrailEvent,
  ledger: ReadonlyMap<string, StoredCredential>,
): Resolution | null {
  if (e.actor.type !== 'AWSAccount') return null;
  const issued = extractCredential(e);
  const row = issued ? ledger.get(issued.accessKeyId) : undefined;
  if (!row || row.caller.type === 'AWSAccount') return null;
  const r = row.resolution;
  return {
    ...r,
    chain: r.chain.slice(0, -1),
    detail: r.detail ?? "the caller's copy of this call (same sharedEventID) names the caller",
  };
}

/** Keys whose ledger rows attribution reads: the key each event used, and the key it issued. */
export function keysToLookUp(events: readonly CloudTrailEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.actor.accessKeyId) keys.add(e.actor.accessKeyId);
    if (e.actor.type === 'AWSAccount') {
      const issued = extractCredential(e);
      if (issued) keys.add(issued.accessKeyId);
    }
  }
  return [...keys];
}

/** The resolution of one event against known ledger rows. */
export function resolutionOf(e: CloudTrailEvent, ledger: ReadonlyMap<string, StoredCredential>): Resolution {
  return (
    resolveOwnerCopy(e, ledger) ??
    resolveActor(e.actor, e.actor.accessKeyId ? ledger.get(e.actor.accessKeyId) : undefined)
  );
}

export type Enriched<T> = T & Required<Pick<StoredEvent, 'resolution' | 'sessionNameCheck'>>;

/** Resolves events against a known set of ledger rows (a batch's ledger view, or rows read back). */
export function enrichWithLedger<T extends CloudTrailEvent>(
  events: readonly T[],
  ledger: ReadonlyMap<string, StoredCredential>,
  policy: SessionNamePolicy = DEFAULT_SESSION_NAME_POLICY,
): Enriched<T>[] {
  return events.map((e) => {
    const resolution = resolutionOf(e, ledger);
    return { ...e, resolution, sessionNameCheck: checkSessionName(e, resolution, policy) };
  });
}
