// Bounded parallel reads: never more than the limit in flight, results in input order, failures as data.
import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../src/pipeline/bounded.js';

describe('mapBounded', () => {
  it('keeps at most `concurrency` calls in flight and yields in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 15, 2, 25, 3];
    const results: number[] = [];
    for await (const r of mapBounded(delays, 3, async (ms) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      if (ms === 20) throw new Error('boom');
      return ms * 2;
    }))
      results.push(r.ok ? r.value : -1);
    expect(peak).toBe(3);
    expect(results).toEqual([60, 10, -1, 2, 30, 4, 50, 6]);
  });
});
