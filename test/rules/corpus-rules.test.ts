// The rule pack against public data: Stratus detonations alert, Panther's cases agree, benign data is quiet.
import { describe, expect, it } from 'vitest';
import { detectInMemory } from '../../src/engine/evaluate-memory.js';
import { builtinPack, enabled, hasCorpus, pantherCases, stratusTechniques } from './helpers.js';

if (!hasCorpus) console.warn('SKIPPED rule corpus tests: ../shared/corpus is not present');
const pack = await builtinPack();
const rules = enabled(pack);

describe.skipIf(!hasCorpus)('rule pack on the public corpus', () => {
  it('raises an alert for at least 33 of the 35 Stratus Red Team detonations', async () => {
    const missed: string[] = [];
    for (const t of stratusTechniques()) {
      const { alerts } = await detectInMemory(rules, t.records);
      if (!alerts.length) missed.push(t.technique);
    }
    console.log(`Stratus techniques without an alert (${missed.length}): ${missed.join(', ') || 'none'}`);
    expect(missed.length).toBeLessThanOrEqual(2);
  });

  it("agrees with Panther's expected results for at least 95% of the cases its equivalents cover", async () => {
    const byPanther = new Map<string, typeof rules>();
    for (const r of rules)
      for (const id of r.meta.equivalents.panther ?? []) byPanther.set(id, [...(byPanther.get(id) ?? []), r]);
    let agree = 0;
    const disagree: string[] = [];
    for (const c of pantherCases()) {
      const mine = byPanther.get(c.rule);
      if (!mine || !c.enabled || c.mocks) continue;
      const { matches } = await detectInMemory(mine, [c.event]);
      // For threshold rules Panther's expectation is whether the event counts toward the threshold.
      if (matches.length > 0 === c.expected) agree++;
      else disagree.push(`${c.rule} › ${c.name} (expected ${c.expected})`);
    }
    const total = agree + disagree.length;
    console.log(
      `Panther agreement: ${agree}/${total}${disagree.length ? `; differ: ${disagree.join('; ')}` : ''}`,
    );
    expect(total).toBeGreaterThan(0);
    expect(agree / total).toBeGreaterThanOrEqual(0.95);
  });
});
