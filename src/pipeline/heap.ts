// Garbage collected between batches: the heap a batch leaves behind is garbage, and V8 keeps it.
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * The heap used after which a batch ends with a full collection. With its default limit (about 4 GB
 * on this 24 GB machine) V8 lets a long ingest's garbage reach 500+ MB before collecting, and the
 * DuckDB results its wrappers hold stay allocated until then: 900k events with the pack peaked at
 * 1,456 MB of RSS, 997 MB with the heap capped at 512 MB (docs/performance.md, sixth session). A
 * batch's live heap is ~100-150 MB, so the collection runs about once a batch (~10-30 ms).
 */
export const HEAP_CEILING = 256 * 2 ** 20;

let collect: (() => void) | null | undefined;

/** Runs a full collection when the used heap exceeds `bytes`; whether it ran. */
export function collectGarbageAbove(bytes: number): boolean {
  if (v8.getHeapStatistics().used_heap_size <= bytes) return false;
  if (collect === undefined) {
    try {
      // gc() is exposed to contexts made after the flag is set; node --expose-gc is not needed.
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    } catch {
      collect = null;
    }
  }
  if (!collect) return false;
  collect();
  return true;
}
