// Reads raw records back: each event points at its stored source object (kept gzip) and its index in it.
import type { CloudTrailEvent, StoredEvent } from '../domain/event.js';
import type { JsonObject } from '../domain/json.js';
import { decodeObject } from '../parse/decode.js';
import type { Store } from '../storage/port.js';

/** Attaches `raw` to each event, decoding every source object once. */
export async function attachRaw(store: Store, events: readonly CloudTrailEvent[]): Promise<StoredEvent[]> {
  const ids = [...new Set(events.map((e) => e.origin.objectId))];
  const byObject = new Map<string, Map<number, JsonObject>>();
  for (let i = 0; i < ids.length; i += 64) {
    const contents = await store.objectContents(ids.slice(i, i + 64));
    for (const [id, { uri, content }] of contents) {
      const decoded = decodeObject(content, uri);
      byObject.set(id, new Map(decoded.records.map((r) => [r.index, r.record])));
    }
  }
  return events.map((e) => {
    const raw = byObject.get(e.origin.objectId)?.get(e.origin.index);
    return raw ? { ...e, raw } : { ...e };
  });
}
