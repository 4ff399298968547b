// Reads raw records back: each event points at its stored source object (kept gzip) and its index in it.
import type { CloudTrailEvent, EventLocation, StoredEvent } from '../domain/event.js';
import type { JsonObject } from '../domain/json.js';
import type { DetectItem } from '../engine/detect.js';
import { canonicalKeys } from '../parse/canonical-keys.js';
import { decodeObject, recordsAtIndexes } from '../parse/decode.js';
import { normalizeRecord } from '../parse/normalize.js';
import { parseKeyLayout } from '../sources/key-layout.js';
import type { Store } from '../storage/port.js';

/** A record wanted from a stored object: the event it must be, and its place in the object. */
type Wanted = Pick<EventLocation, 'eventId' | 'origin'>;

/**
 * The records of one stored object at the wanted places: found by a scan of the text
 * (parse/decode.ts recordsAtIndexes) when each one found is the wanted event, else read from the
 * whole object decoded as ingest decoded it (a damaged file's records are salvaged and numbered by
 * that decode, which a scan cannot follow).
 */
function recordsOf(content: Uint8Array, uri: string, wanted: readonly Wanted[]): Map<number, JsonObject> {
  const picked = recordsAtIndexes(content, new Set(wanted.map((w) => w.origin.index)));
  if (picked && wanted.every((w) => picked.get(w.origin.index)?.eventID === w.eventId)) return picked;
  return new Map(decodeObject(content, uri).records.map((r) => [r.index, r.record]));
}

/**
 * Each stored object that `wanted` names (fetched 64 at a time, in the order first named), with its
 * URI, the wanted locations in it and their records (recordsOf). A pruned object is left out.
 */
async function* objectsRead<L extends Wanted>(
  store: Store,
  wanted: ReadonlyMap<string, L[]>,
): AsyncGenerator<{ objectId: string; uri: string; at: L[]; records: Map<number, JsonObject> }> {
  const ids = [...wanted.keys()];
  for (let i = 0; i < ids.length; i += 64)
    for (const [objectId, { uri, content }] of await store.objectContents(ids.slice(i, i + 64))) {
      const at = wanted.get(objectId) ?? [];
      yield { objectId, uri, at, records: recordsOf(content, uri, at) };
    }
}

/** Attaches `raw` to each event, reading every source object once. */
export async function attachRaw(store: Store, events: readonly CloudTrailEvent[]): Promise<StoredEvent[]> {
  const records = new Map<string, Map<number, JsonObject>>();
  for await (const o of objectsRead(store, byObject(events))) records.set(o.objectId, o.records);
  return events.map((e) => {
    const raw = records.get(e.origin.objectId)?.get(e.origin.index);
    return raw ? { ...e, raw } : { ...e };
  });
}

/** Locations (or events) by the source object they point into, objects in the order first seen. */
export function byObject<L extends Wanted>(located: readonly L[]): Map<string, L[]> {
  const objects = new Map<string, L[]>();
  for (const l of located) {
    const list = objects.get(l.origin.objectId);
    if (list) list.push(l);
    else objects.set(l.origin.objectId, [l]);
  }
  return objects;
}

/**
 * The stored events at these locations read back from their source objects (fetched 64 at a time,
 * each decoded once, only the located records kept) and normalized again, with their raw record in
 * CloudTrail's key spelling as ingest matched it. The stored identity and time are kept, so that
 * what is found for an event is filed under the stored event. One whose object was pruned, or whose
 * record no longer normalizes, is left out.
 */
export async function readLocated(store: Store, located: readonly EventLocation[]): Promise<DetectItem[]> {
  const out: DetectItem[] = [];
  for await (const { objectId, uri, at, records } of objectsRead(store, byObject(located))) {
    const keyAccount = parseKeyLayout(uri)?.account ?? null;
    for (const l of at) {
      const record = records.get(l.origin.index);
      const n = record && normalizeRecord(record, { objectId, index: l.origin.index, keyAccount });
      if (!record || !n?.ok) continue;
      const { eventId, recipientAccountId, eventTime } = l;
      out.push({
        event: { ...n.event, eventId, recipientAccountId, eventTime },
        raw: canonicalKeys(record),
      });
    }
  }
  return out;
}
