// Attribution at read time: each event gets the best resolution the ledger knows now.
import type { CloudTrailEvent } from '../domain/event.js';
import { enrichWithLedger, keysToLookUp, type Enriched } from '../identity/enrich.js';
import { DEFAULT_SESSION_NAME_POLICY, type SessionNamePolicy } from '../identity/session-name.js';
import type { Store } from '../storage/port.js';

export async function attachIdentity<T extends CloudTrailEvent>(
  store: Store,
  events: readonly T[],
  policy: SessionNamePolicy = DEFAULT_SESSION_NAME_POLICY,
): Promise<Enriched<T>[]> {
  return enrichWithLedger(events, await store.credentials(keysToLookUp(events)), policy);
}
