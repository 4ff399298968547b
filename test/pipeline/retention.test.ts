// Scheduled retention (watch, serve): prunes on the first call, then at most once per period; counted in metrics.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { createPipelineMetrics } from '../../src/pipeline/metrics.js';
import { scheduledRetention } from '../../src/pipeline/retention.js';
import { formatExposition } from '../../src/metrics/exposition.js';
import { parseExposition, sampleValue } from '../helpers/exposition.js';
import { event, objectRecord } from '../helpers/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T12:00:00Z');

it('prunes on the first run, skips within the period, prunes again after it', async () => {
  let clock = T0;
  const store = await openDuckDbStore(path.join(dir, 's.duckdb'), () => clock);
  try {
    const at = (ms: number) => new Date(ms).toISOString();
    await store.appendBatch({
      objects: [objectRecord('o1', { records: 3 })],
      events: [
        event({ eventID: 'a', eventTime: at(T0 - 10 * DAY) }, 'o1', 0),
        event({ eventID: 'b', eventTime: at(T0 - 5 * DAY + 1800_000) }, 'o1', 1),
        event({ eventID: 'c', eventTime: at(T0) }, 'o1', 2),
      ],
      quarantine: [],
      credentials: [],
      matches: [],
    });
    const metrics = createPipelineMetrics();
    const runs: number[] = [];
    const retention = scheduledRetention(store, {
      retainMs: 5 * DAY,
      now: () => clock,
      metrics,
      everyMs: 3_600_000,
      onRun: (r) => runs.push(r.events),
    });
    expect((await retention.run())?.events).toBe(1);
    clock += 3_599_000;
    expect(await retention.run()).toBeNull();
    clock += 1000;
    expect((await retention.run())?.events).toBe(1);
    expect(runs).toEqual([1, 1]);
    expect((await store.stats()).events).toBe(1);
    const p = parseExposition(formatExposition(metrics.registry.families()));
    expect(sampleValue(p, 'trailwatch_events_pruned_total')).toBe(2);
  } finally {
    await store.close();
  }
});
