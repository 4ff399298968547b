// Reads raw records back: each event points at its stored source object (kept gzip) and its index in it.
import type { CloudTrailEvent, EventLocation, StoredEvent } from '../domain/event.js';
import type { JsonObject } from '../domain/json.js';
import type { DetectItem } from '../engine/detect.js';
import { canonicalKeys } from '../parse/canonical-keys.js';
import { decodeObject, recordsAtIndexes } from '../parse/decode.js';
import { normalizeRecord } from '../parse/normalize.js';
import { parseKeyLayout } from '../sources/key-layout.js';
import type { Store } from '../storage/port.js';

/** A record wanted from a stored object: its place in it and the event it must be. */
interface Wanted {
  index: number;
  eventId: string;
}

/**
 * The records of one stored object at the wanted places: found by a scan of the text
 * (parse/decode.ts recordsAtIndexes) when each one found is the wanted event, else read from the
 * whole object decoded as ingest decoded it (a damaged file's records are salvaged and numbered by
 * that decode, which a scan cannot follow).
 */
function recordsOf(content: Uint8Array, uri: string, wanted: readonly Wanted[]): Map<number, JsonObject> {
  const picked = recordsAtIndexes(content, new Set(wanted.map((w) => w.index)));
  if (picked && wanted.every((w) => picked.get(w.index)?.eventID === w.eventId)) return picked;
  return new Map(decodeObject(content, uri).records.map((r) => [r.index, r.record]));
}

/** Attaches `raw` to each event, reading every source object once. */
export async function attachRaw(store: Store, events: readonly CloudTrailEvent[]): Promise<StoredEvent[]> {
  const wanted = new Map<string, Wanted[]>();
  for (const e of events) {
    const list = wanted.get(e.origin.objectId);
    const w = { index: e.origin.index, eventId: e.eventId };
    if (list) list.push(w);
    else wanted.set(e.origin.objectId, [w]);
  }
  const ids = [...wanted.keys()];
  const byObject = new Map<string, Map<number, JsonObject>>();
  for (let i = 0; i < ids.length; i += 64) {
    const contents = await store.objectContents(ids.slice(i, i + 64));
    for (const [id, { uri, content }] of contents)
      byObject.set(id, recordsOf(content, uri, wanted.get(id) ?? []));
  }
  return events.map((e) => {
    const raw = byObject.get(e.origin.objectId)?.get(e.origin.index);
    return raw ? { ...e, raw } : { ...e };
  });
}

/** Locations by the source object they point into, objects in the order first seen. */
export function byObject(located: readonly EventLocation[]): Map<string, EventLocation[]> {
  const objects = new Map<string, EventLocation[]>();
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
  const wanted = byObject(located);
  const ids = [...wanted.keys()];
  const out: DetectItem[] = [];
  for (let i = 0; i < ids.length; i += 64) {
    for (const [objectId, { uri, content }] of await store.objectContents(ids.slice(i, i + 64))) {
      const at = wanted.get(objectId) ?? [];
      const records = recordsOf(
        content,
        uri,
        at.map((l) => ({ index: l.origin.index, eventId: l.eventId })),
      );
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
  }
  return out;
}
