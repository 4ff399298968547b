// Matching again: an event is matched under the attribution known when it is stored. When the key
// behind it is resolved later (its AssumeRole arrives in a later file, or another worker stores
// it), the event is matched again, so that alerts do not depend on delivery order.
import type { EventRef, MatchRow } from '../domain/alert.js';
import type { CloudTrailEvent, EventLocation } from '../domain/event.js';
import type { StoredCredential } from '../domain/identity.js';
import { detect } from '../engine/detect.js';
import type { RuleIndex } from '../engine/match.js';
import { keysToLookUp } from '../identity/enrich.js';
import { sameResolution } from '../identity/ledger.js';
import type { SessionNamePolicy } from '../identity/session-name.js';
import type { EventQuery, Store } from '../storage/port.js';
import { byObject, readLocated } from './raw.js';

export interface Rematcher {
  index: RuleIndex;
  policy?: SessionNamePolicy | undefined;
}

/** Events stored at most this long before the key they used was issued (clocks of regions differ). */
const CLOCK_SKEW_MS = 15 * 60_000;
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
 * Replaces the stored matches of the events (`refs`) whose result changed: `fresh` is what matching
 * them again found. Returns how many events changed.
 */
async function replaceChanged(
  store: Store,
  refs: readonly EventRef[],
  fresh: readonly MatchRow[],
): Promise<number> {
  if (!refs.length) return 0;
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

const refOf = (e: CloudTrailEvent): EventRef => ({
  eventId: e.eventId,
  recipientAccountId: e.recipientAccountId,
  eventTime: e.eventTime,
});

/** The locations in groups that come from at most OBJECTS_AT_ONCE source objects each. */
function byObjects(located: readonly EventLocation[]): EventLocation[][] {
  const lists = [...byObject(located).values()];
  const groups: EventLocation[][] = [];
  for (let i = 0; i < lists.length; i += OBJECTS_AT_ONCE)
    groups.push(lists.slice(i, i + OBJECTS_AT_ONCE).flat());
  return groups;
}

/**
 * Matches stored events again under the ledger as stored now, overlaid with `view` (their records
 * are read back for it). Returns how many events changed.
 */
export async function rematchStored(
  store: Store,
  located: readonly EventLocation[],
  view: ReadonlyMap<string, StoredCredential>,
  r: Rematcher,
): Promise<number> {
  // Read a few objects at a time (their raw records are large); compared with the stored matches
  // and replaced all at once, since each look-up reads the matches over the events' time span.
  const refs: EventRef[] = [];
  const fresh: MatchRow[] = [];
  for (const group of byObjects(located)) {
    const items = await readLocated(store, group);
    const events = items.map((i) => i.event);
    for (const e of events) refs.push(refOf(e));
    for (const m of detect(r.index, items, await ledgerFor(store, events, view), r.policy)) fresh.push(m);
  }
  return replaceChanged(store, refs, fresh);
}

/** The locations of the stored events a query matches, `KEYS_PER_QUERY` values of `field` at a time. */
async function locateAll(
  store: Store,
  field: 'accessKeyIds' | 'sharedEventIds' | 'eventIds',
  values: readonly string[],
  rest: EventQuery,
): Promise<EventLocation[]> {
  const out: EventLocation[] = [];
  // Pushed one by one: a spread of a large result into push() would overflow the call stack.
  for (let i = 0; i < values.length; i += KEYS_PER_QUERY)
    for (const l of await store.locateEvents({ ...rest, [field]: values.slice(i, i + KEYS_PER_QUERY) }))
      out.push(l);
  return out;
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
): Promise<EventLocation[]> {
  // An access key created for a user attributes nothing (its calls are the user's own).
  const rows = written.filter((r) => r.kind !== 'CreateAccessKey');
  if (!rows.length) return [];
  const since = Math.min(...rows.map((r) => r.issuedAt)) - CLOCK_SKEW_MS;
  // Temporary keys are used only until they expire; long-term ones (no expiry) bound nothing.
  const ends = rows.map((r) => r.expiresAt);
  const until = ends.every((t) => t !== null) ? Math.max(...ends) + CLOCK_SKEW_MS : undefined;
  const span = until === undefined ? { since } : { since, until };
  const shared = [...new Set(rows.flatMap((r) => (r.sharedEventId ? [r.sharedEventId] : [])))];
  const found = new Map<string, EventLocation>();
  for (const l of [
    ...(await locateAll(
      store,
      'accessKeyIds',
      rows.map((r) => r.accessKeyId),
      span,
    )),
    ...(await locateAll(store, 'sharedEventIds', shared, { identityTypes: ['AWSAccount'], ...span })),
  ])
    found.set(refKey(l), l);
  return [...found.values()].filter((l) => !skip.has(l.origin.objectId));
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
async function storedCopies(store: Store, events: readonly CloudTrailEvent[]): Promise<EventLocation[]> {
  const wanted = new Set(events.map(refKey));
  const located = await locateAll(store, 'eventIds', [...new Set(events.map((e) => e.eventId))], {});
  return located.filter((l) => wanted.has(refKey(l)));
}

/** The stored events at these locations, read back a few objects at a time. */
export async function eventsAt(store: Store, located: readonly EventLocation[]): Promise<CloudTrailEvent[]> {
  const out: CloudTrailEvent[] = [];
  for (const group of byObjects(located)) for (const i of await readLocated(store, group)) out.push(i.event);
  return out;
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
