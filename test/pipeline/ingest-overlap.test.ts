// Ingest reads and parses the next batch while the previous one is stored, one store call at a time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingest } from '../../src/pipeline/ingest.js';
import type { Source, SourceObject } from '../../src/sources/port.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';
import { record } from '../helpers/records.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-overlap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function source(n: number): Source {
  const objects: SourceObject[] = Array.from({ length: n }, (_, i) => {
    const bytes = Buffer.from(JSON.stringify({ Records: [record({ eventID: `e${i}` })] }));
    return {
      identity: `mem:${i}`,
      uri: `mem:${i}`,
      key: `f${i}.json`,
      size: bytes.length,
      read: () => Promise.resolve(bytes),
    };
  });
  return {
    async *list() {
      for (const o of objects) yield await Promise.resolve(o);
    },
  };
}

/** The store with `appendBatch` wrapped: `before(n)` runs before the n-th call (from 1) goes through. */
function watched(
  store: Store,
  before: (n: number) => Promise<void>,
): { store: Store; maxInFlight: () => number } {
  let calls = 0;
  let inFlight = 0;
  let max = 0;
  const wrapped: Store = {
    ...store,
    appendBatch: async (batch) => {
      inFlight++;
      max = Math.max(max, inFlight);
      try {
        await before(++calls);
        return await store.appendBatch(batch);
      } finally {
        inFlight--;
      }
    },
  };
  return { store: wrapped, maxInFlight: () => max };
}

describe('ingest overlaps parsing with storing', () => {
  it('parses the next object while a batch is stored, and stores batches one at a time', async () => {
    const store = await openDuckDbStore(path.join(root, 'overlap.duckdb'));
    let nextParsed = (): void => undefined;
    const parsed = new Promise<void>((resolve) => (nextParsed = resolve));
    // Batches of two objects. The first is held until the loop has taken in the third object:
    // without the overlap the loop would wait for the first batch, and this test would time out.
    const w = watched(store, (n) => (n === 1 ? parsed : Promise.resolve()));
    const summary = await ingest(w.store, [source(5)], {
      batchObjects: 2,
      onProgress: (p) => {
        if (p.objectsDone >= 3) nextParsed();
      },
    });
    expect(summary.eventsStored).toBe(5);
    expect(w.maxInFlight()).toBe(1);
    const stored = (await store.searchEvents({})).map((e) => e.eventId).sort();
    expect(stored).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    await store.close();
  }, 10_000);

  it('stops at a batch that fails to store, keeping earlier batches, and a rerun stores the rest', async () => {
    const store = await openDuckDbStore(path.join(root, 'failure.duckdb'));
    const failing = watched(store, (n) =>
      n === 2 ? Promise.reject(new Error('disk full')) : Promise.resolve(),
    );
    await expect(ingest(failing.store, [source(4)], { batchObjects: 1 })).rejects.toThrow('disk full');
    expect((await store.searchEvents({})).map((e) => e.eventId)).toEqual(['e0']);
    const rerun = await ingest(store, [source(4)], { batchObjects: 1 });
    expect(rerun).toMatchObject({ objectsSkipped: 1, eventsStored: 3 });
    await store.close();
  });
});
