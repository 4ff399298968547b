// The collection between batches: it runs only above the ceiling, and it frees what was dropped.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectGarbageAbove } from '../../src/pipeline/heap.js';

const used = (): number => v8.getHeapStatistics().used_heap_size;
const MB = 2 ** 20;

describe('garbage collection between batches', () => {
  it('runs above the ceiling only, and frees the garbage of a batch', () => {
    collectGarbageAbove(0);
    const base = used();
    expect(collectGarbageAbove(base + 512 * MB)).toBe(false);
    // Old enough to outlive the young generation's collections, as a batch's parsed records do.
    let batch: { id: string; values: number[] }[] | null = Array.from({ length: 400_000 }, (_, i) => ({
      id: `event-${i}`,
      values: [i, i + 1, i + 2],
    }));
    const before = used();
    expect(before - base).toBeGreaterThan(40 * MB);
    expect(batch).toHaveLength(400_000);
    batch = null;
    expect(collectGarbageAbove(base + 20 * MB)).toBe(true);
    expect(used()).toBeLessThan(before - 30 * MB);
    expect(batch).toBeNull();
  });
});
