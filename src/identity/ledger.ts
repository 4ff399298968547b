// Plans the ledger writes of a batch: new credentials resolved, and stored rows their arrival improves.
import type { CloudTrailEvent } from '../domain/event.js';
import type { Credential, StoredCredential } from '../domain/identity.js';
import { extractCredential, preferCredential } from './extract.js';
import { resolveCredential } from './resolve.js';

/** What origin resolution needs from the store. */
export interface LedgerPort {
  credentials(keys: readonly string[]): Promise<Map<string, StoredCredential>>;
  /** Stored rows whose caller used one of these keys. */
  credentialChildren(parentKeys: readonly string[]): Promise<StoredCredential[]>;
}

/** Chains longer than this are cut (a loop in corrupt data must not hang ingest). */
const MAX_DEPTH = 32;

export interface LedgerPlan {
  /** Rows to upsert: new or better copies of issued keys, and descendants whose resolution changed. */
  rows: StoredCredential[];
  /** Every row the plan knows, by key, for resolving the batch's events. */
  view: Map<string, StoredCredential>;
}

function sameResolution(a: StoredCredential, b: StoredCredential): boolean {
  return JSON.stringify(a.resolution) === JSON.stringify(b.resolution);
}

export async function planLedger(
  events: readonly CloudTrailEvent[],
  ledger: LedgerPort,
): Promise<LedgerPlan> {
  const candidates = new Map<string, Credential>();
  for (const e of events) {
    const c = extractCredential(e);
    if (c) candidates.set(c.accessKeyId, preferCredential(candidates.get(c.accessKeyId), c));
  }
  const view = await ledger.credentials([...candidates.keys()]);
  const fresh = new Map<string, Credential>();
  for (const [key, c] of candidates) {
    const stored = view.get(key);
    if (!stored || preferCredential(stored, c) !== stored) fresh.set(key, c);
  }
  const parentKeys = [...fresh.values()]
    .map((c) => c.caller.accessKeyId)
    .filter((k): k is string => k !== null && !fresh.has(k) && !view.has(k));
  for (const [k, row] of await ledger.credentials([...new Set(parentKeys)])) view.set(k, row);

  const resolved = new Map<string, StoredCredential>();
  const resolving = new Set<string>();
  const resolve = (key: string): StoredCredential | undefined => {
    const c = fresh.get(key);
    if (!c) return view.get(key);
    const done = resolved.get(key);
    if (done) return done;
    if (resolving.has(key) || resolving.size > MAX_DEPTH) return undefined; // a loop: stop here
    resolving.add(key);
    const parentKey = c.caller.accessKeyId;
    const parent = parentKey && parentKey !== key ? resolve(parentKey) : undefined;
    resolving.delete(key);
    const row = { ...c, resolution: resolveCredential(c, parent) };
    resolved.set(key, row);
    return row;
  };
  for (const key of fresh.keys()) resolve(key);
  for (const [k, row] of resolved) view.set(k, row);

  // Rows stored earlier whose chain went through a key that only arrives now (out-of-order delivery).
  const rows = [...resolved.values()];
  const updatedKeys = new Set<string>();
  let frontier = [...resolved.keys()];
  for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
    const next: string[] = [];
    for (const child of await ledger.credentialChildren(frontier)) {
      if (fresh.has(child.accessKeyId) || updatedKeys.has(child.accessKeyId)) continue;
      const parent = view.get(child.caller.accessKeyId ?? '');
      const updated = { ...child, resolution: resolveCredential(child, parent) };
      if (sameResolution(updated, child)) continue;
      view.set(child.accessKeyId, updated);
      updatedKeys.add(child.accessKeyId);
      rows.push(updated);
      next.push(child.accessKeyId);
    }
    frontier = next;
  }
  return { rows, view };
}
