// A benign baseline stays quiet: on the demo organisation's normal activity, only known, explained alerts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { detectInMemory } from '../../src/engine/evaluate-memory.js';
import { builtinPack, enabled } from './helpers.js';

interface Known {
  ruleId: string;
  reason: string;
}
const known = (
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'benign-known.json'), 'utf8')) as { known: Known[] }
).known;

describe('benign baseline', () => {
  it('raises no alert on benign demo activity that is not listed as known', async () => {
    const trail = generateDemoTrail({ end: Date.parse('2024-06-12T15:20:00Z'), days: 3 });
    const attack = new Set(trail.scenario.flatMap((s) => s.eventIds));
    const records = trail.files.flatMap((f) => f.records);
    const { alerts } = await detectInMemory(enabled(await builtinPack()), records);
    const benign = alerts.filter((a) => !a.eventIds.some((id) => attack.has(id)));
    const unexplained = benign.filter((a) => !known.some((k) => k.ruleId === a.ruleId));
    console.log(
      `benign baseline: ${alerts.length} alerts, ${benign.length} on benign activity, ${unexplained.length} unexplained`,
    );
    expect(unexplained.map((a) => `${a.ruleId}: ${a.title} (${a.count} events)`)).toEqual([]);
    for (const k of known) expect(k.reason.length, k.ruleId).toBeGreaterThan(20);
  });

  it('raises alerts on the attack story in the demo data', async () => {
    const trail = generateDemoTrail({ end: Date.parse('2024-06-12T15:20:00Z'), days: 3 });
    const { alerts } = await detectInMemory(
      enabled(await builtinPack()),
      trail.files.flatMap((f) => f.records),
    );
    const attack = new Set(trail.scenario.flatMap((s) => s.eventIds));
    expect(alerts.filter((a) => a.eventIds.some((id) => attack.has(id))).length).toBeGreaterThan(0);
  });
});
