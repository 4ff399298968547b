// The built-in rule pack: every file valid, every embedded test passing, corpus-wide checks.
import { describe, expect, it } from 'vitest';
import { runRuleTests } from '../../src/engine/rule-tests.js';
import { isKnownField } from '../../src/parse/field-catalogue.js';
import { builtinPack } from './helpers.js';

const pack = await builtinPack();

describe('built-in rule pack', () => {
  it('has no problems in any file', () => {
    const errors = pack.issues.filter((i) => i.severity === 'error' || i.severity === 'warning');
    expect(errors.map((i) => `${i.file}:${i.line ?? '?'} ${i.message}`)).toEqual([]);
    expect(pack.rules.length).toBe(pack.files);
  });

  it('maps every rule to ATT&CK and gives it a runbook', () => {
    for (const r of pack.rules) {
      expect(r.meta.tactics.length, r.meta.id).toBeGreaterThan(0);
      expect(r.meta.runbook.length, r.meta.id).toBeGreaterThan(20);
    }
  });

  it('uses only fields of the field catalogue', () => {
    const unknown = pack.rules.flatMap((r) =>
      r.usedFields.filter((f) => !isKnownField(f)).map((f) => `${r.meta.id}: ${f}`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives every rule a unique id and ATT&CK ids of the right form', () => {
    const ids = pack.rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of pack.rules) {
      for (const t of r.meta.tactics) expect(t, r.meta.id).toMatch(/^TA\d{4}$/);
      for (const t of r.meta.techniques) expect(t, r.meta.id).toMatch(/^T\d{4}(\.\d{3})?$/);
    }
  });

  it.each(pack.rules.map((r) => [r.meta.id, r] as const))('%s: embedded tests pass', async (_id, rule) => {
    const results = await runRuleTests(rule);
    const failed = results.filter((r) => !r.isPassed);
    expect(
      failed.map(
        (f) => `${f.test}: expected ${f.expected}, got ${f.actual}${f.detail ? ` (${f.detail})` : ''}`,
      ),
    ).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(2);
  });
});
