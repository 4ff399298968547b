// Matching again: an event is matched under the attribution known when it is stored. When the key
// behind it is resolved later (its AssumeRole arrives in a later file, or another worker stores
// it), the event is matched again, so that alerts do not depend on delivery order.
import type { EventRef, MatchRow } from '../domain/alert.js';
import type { CloudTrailEvent } from '../domain/event.js';
import type { StoredCredential } from '../domain/identity.js';
import { detect, type DetectItem } from '../engine/detect.js';
import type { RuleIndex } from '../engine/match.js';
import { keysToLookUp } from '../identity/enrich.js';
import { sameResolution } from '../identity/ledger.js';
import type { SessionNamePolicy } from '../identity/session-name.js';
import type { EventQuery, Store } from '../storage/port.js';
import { attachRaw } from './raw.js';

export interface Rematcher {
  index: RuleIndex;
  policy?: SessionNamePolicy | undefined;
}

/** Events stored at most this long before the key they used was issued (clocks of regions differ). */
const CLOCK_SKEW_MS = 15 * 60_000;
const PAGE = 5000;
const KEYS_PER_QUERY = 1000;
/**
 * Source objects whose records are read at once when stored events are matched again: each is parsed
 * whole, and one batch's keys reached 4,664 stored events in 72 files at 200k events.
 */
const OBJECTS_AT_ONCE = 8;

const refKey = (r: EventRef): string => `${r.eventId}\u0000${r.recipientAccountId}`;

/** What a match says, for telling whether matching again changed anything. */
const matchKey = (m: MatchRow): string =>
  JSON.stringify([
    m.ruleId,
    m.alertKey,
    m.step,
    m.groupKey,
    m.value,
    m.title,
    m.severity,
    m.region,
    m.sourceIp,
    m.actorArn,
    m.origin,
  ]);

function matchSets(rows: readonly MatchRow[]): Map<string, string> {
  const lists = new Map<string, string[]>();
  for (const m of rows) {
    const k = refKey(m);
    lists.set(k, [...(lists.get(k) ?? []), matchKey(m)]);
  }
  return new Map([...lists].map(([k, list]) => [k, list.sort().join('\n')]));
}

/**
 * Matches the items again against `ledger` and replaces the stored matches of those whose result
 * changed. Returns how many events changed.
 */
export async function rematch(
  store: Store,
  items: readonly DetectItem[],
  ledger: ReadonlyMap<string, StoredCredential>,
  r: Rematcher,
): Promise<number> {
  if (!items.length) return 0;
  const refs = items.map((i) => ({
    eventId: i.event.eventId,
    recipientAccountId: i.event.recipientAccountId,
    eventTime: i.event.eventTime,
  }));
  const fresh = detect(r.index, items, ledger, r.policy);
  const now = matchSets(fresh);
  const stored = matchSets(await store.eventMatches(refs));
  const changed = refs.filter((ref) => (now.get(refKey(ref)) ?? '') !== (stored.get(refKey(ref)) ?? ''));
  if (!changed.length) return 0;
  const isChanged = new Set(changed.map(refKey));
  await store.replaceMatches(
    changed,
    fresh.filter((m) => isChanged.has(refKey(m))),
  );
  return changed.length;
}

/** Events with their raw records, to match. One whose source object was pruned cannot be matched
 * again: it is left out and keeps its matches. */
async function withRaw(store: Store, events: readonly CloudTrailEvent[]): Promise<DetectItem[]> {
  return (await attachRaw(store, events)).flatMap((e) => (e.raw ? [{ event: e, raw: e.raw }] : []));
}

/** The events in groups that come from at most OBJECTS_AT_ONCE source objects each. */
function byObjects(events: readonly CloudTrailEvent[]): CloudTrailEvent[][] {
  const objects = new Map<string, CloudTrailEvent[]>();
  for (const e of events) {
    const list = objects.get(e.origin.objectId);
    if (list) list.push(e);
    else objects.set(e.origin.objectId, [e]);
  }
  const lists = [...objects.values()];
  const groups: CloudTrailEvent[][] = [];
  for (let i = 0; i < lists.length; i += OBJECTS_AT_ONCE)
    groups.push(lists.slice(i, i + OBJECTS_AT_ONCE).flat());
  return groups;
}

/**
 * Matches stored events again under the ledger as stored now, overlaid with `view`, a few source
 * objects at a time (their raw records are read for it). Returns how many events changed.
 */
export async function rematchStored(
  store: Store,
  events: readonly CloudTrailEvent[],
  view: ReadonlyMap<string, StoredCredential>,
  r: Rematcher,
): Promise<number> {
  let changed = 0;
  for (const group of byObjects(events))
    changed += await rematch(store, await withRaw(store, group), await ledgerFor(store, group, view), r);
  return changed;
}

async function allEvents(store: Store, query: EventQuery): Promise<CloudTrailEvent[]> {
  const out: CloudTrailEvent[] = [];
  for (;;) {
    const last = out[out.length - 1];
    const page = await store.searchEvents({
      ...query,
      limit: PAGE,
      ...(last
        ? { before: { time: last.eventTime, eventId: last.eventId, account: last.recipientAccountId } }
        : {}),
    });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/**
 * The stored events whose attribution reads these ledger rows: made with one of their keys, or the
 * role owner's copy of the call that issued one (it takes the caller from the caller's copy).
 * Events of the objects in `skip` (the batch being stored, matched with these rows) are left out.
 */
export async function eventsAttributedBy(
  store: Store,
  written: readonly StoredCredential[],
  skip: ReadonlySet<string>,
): Promise<CloudTrailEvent[]> {
  // An access key created for a user attributes nothing (its calls are the user's own).
  const rows = written.filter((r) => r.kind !== 'CreateAccessKey');
  if (!rows.length) return [];
  const since = Math.min(...rows.map((r) => r.issuedAt)) - CLOCK_SKEW_MS;
  // Temporary keys are used only until they expire; long-term ones (no expiry) bound nothing.
  const ends = rows.map((r) => r.expiresAt);
  const until = ends.every((t) => t !== null) ? Math.max(...ends) + CLOCK_SKEW_MS : undefined;
  const span = until === undefined ? { since } : { since, until };
  const found = new Map<string, CloudTrailEvent>();
  const keys = rows.map((r) => r.accessKeyId);
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY)
    for (const e of await allEvents(store, { accessKeyIds: keys.slice(i, i + KEYS_PER_QUERY), ...span }))
      found.set(refKey(e), e);
  const shared = [...new Set(rows.flatMap((r) => (r.sharedEventId ? [r.sharedEventId] : [])))];
  for (let i = 0; i < shared.length; i += KEYS_PER_QUERY)
    for (const e of await allEvents(store, {
      sharedEventIds: shared.slice(i, i + KEYS_PER_QUERY),
      identityTypes: ['AWSAccount'],
      ...span,
    }))
      found.set(refKey(e), e);
  return [...found.values()].filter((e) => !skip.has(e.origin.objectId));
}

/** The ledger rows attribution of these events reads, as stored now, plus the given view's. */
export async function ledgerFor(
  store: Store,
  events: readonly CloudTrailEvent[],
  view: ReadonlyMap<string, StoredCredential> = new Map(),
): Promise<Map<string, StoredCredential>> {
  const out = new Map(view);
  const missing = keysToLookUp(events).filter((k) => !out.has(k));
  for (const [k, row] of await store.credentials(missing)) out.set(k, row);
  return out;
}

/**
 * The stored copies of these events: a batch's own copy of an event may be a duplicate or a
 * conflicting record, and only the stored one is matched.
 */
async function storedCopies(store: Store, events: readonly CloudTrailEvent[]): Promise<CloudTrailEvent[]> {
  const wanted = new Set(events.map(refKey));
  const found: CloudTrailEvent[] = [];
  const ids = [...new Set(events.map((e) => e.eventId))];
  for (let i = 0; i < ids.length; i += KEYS_PER_QUERY)
    for (const e of await allEvents(store, { eventIds: ids.slice(i, i + KEYS_PER_QUERY) }))
      if (wanted.has(refKey(e))) found.push(e);
  return found;
}

/**
 * With other writers: matches events (already stored) again until the ledger rows they read are
 * the same after the write as before it. A writer that changed a row meanwhile matches them too
 * (it looks for stored events after its own write), so whichever writes last wrote the final result.
 */
export async function rematchUntilSettled(
  store: Store,
  events: readonly CloudTrailEvent[],
  matchedWith: ReadonlyMap<string, StoredCredential>,
  r: Rematcher,
): Promise<number> {
  const keys = keysToLookUp(events);
  let used = matchedWith;
  let changed = 0;
  for (let round = 0; round < 8; round++) {
    const current = await store.credentials(keys);
    const moved = new Set(keys.filter((k) => !sameResolution(current.get(k), used.get(k))));
    if (!moved.size) return changed;
    const affected = events.filter((e) => keysToLookUp([e]).some((k) => moved.has(k)));
    changed += await rematchStored(store, await storedCopies(store, affected), current, r);
    used = current;
  }
  return changed;
}
