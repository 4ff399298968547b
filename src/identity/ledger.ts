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
  /**
   * The rows whose resolution differs from what the store held (new keys among them): stored
   * events made with these keys were matched under another attribution.
   */
  changed: StoredCredential[];
}

/** Whether two ledger rows (either possibly absent) resolve to the same attribution. */
export function sameResolution(a: StoredCredential | undefined, b: StoredCredential | undefined): boolean {
  return JSON.stringify(a?.resolution ?? null) === JSON.stringify(b?.resolution ?? null);
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
  // New keys, and better copies that resolve otherwise than the stored row; every descendant below.
  const changed = [...resolved.values()].filter((r) => !sameResolution(view.get(r.accessKeyId), r));
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
      changed.push(updated);
      next.push(child.accessKeyId);
    }
    frontier = next;
  }
  return { rows, view, changed };
}

/**
 * After a batch is stored, what concurrent writers left behind: the other copy of a cross-account
 * call (one per account, one `sharedEventID`) stored by another writer and better than the row
 * stored now; a row whose caller's key another writer stored meanwhile; and stored descendants of
 * the batch's keys that another writer stored while this batch was planned. Each writer checks
 * after its whole batch is written, so of two racing writers at least one sees the other's rows.
 * Returns the rows to write again.
 */
export async function settleLedger(
  written: readonly StoredCredential[],
  ledger: LedgerPort,
  copiesOf: (sharedEventIds: string[]) => Promise<CloudTrailEvent[]>,
): Promise<StoredCredential[]> {
  if (!written.length) return [];
  const stored = await ledger.credentials(written.map((r) => r.accessKeyId));
  const best = new Map<string, Credential>();
  for (const r of written) best.set(r.accessKeyId, preferCredential(stored.get(r.accessKeyId), r));
  const shared = [...new Set(written.flatMap((r) => (r.sharedEventId ? [r.sharedEventId] : [])))];
  for (const e of shared.length ? await copiesOf(shared) : []) {
    const c = extractCredential(e);
    if (c && best.has(c.accessKeyId)) best.set(c.accessKeyId, preferCredential(best.get(c.accessKeyId), c));
  }
  const view = new Map<string, StoredCredential>();
  for (const [k, row] of stored) view.set(k, row);
  const changed = new Map<string, StoredCredential>();
  const parentKeys = [...best.values()].map((c) => c.caller.accessKeyId).filter((k): k is string => !!k);
  for (const [k, row] of await ledger.credentials([...new Set(parentKeys)]))
    if (!view.has(k)) view.set(k, row);
  /** Resolves a row again against its parent as stored now; keeps it when nothing changes. */
  const redo = (row: Credential, current: StoredCredential | undefined): boolean => {
    const key = row.accessKeyId;
    const parentKey = row.caller.accessKeyId;
    const parent = parentKey && parentKey !== key ? view.get(parentKey) : undefined;
    const updated = { ...row, resolution: resolveCredential(row, parent) };
    if (current && current.eventId === updated.eventId && sameResolution(updated, current)) return false;
    view.set(key, updated);
    changed.set(key, updated);
    return true;
  };
  for (const [key, c] of best) redo(c, view.get(key));
  let frontier = written.map((r) => r.accessKeyId);
  for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
    const next: string[] = [];
    for (const child of await ledger.credentialChildren(frontier)) {
      const current = view.get(child.accessKeyId) ?? child;
      if (redo(current, current)) next.push(child.accessKeyId);
    }
    frontier = next;
  }
  return [...changed.values()];
}
