// docs/rule-format.md is checked against the schema: its example loads and passes, every key and modifier is documented.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRuleTests } from '../../src/engine/rule-tests.js';
import { loadRuleText, RULE_KEYS } from '../../src/rules/load.js';
import { MODIFIERS } from '../../src/rules/modifiers.js';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/rule-format.md'), 'utf8');

describe('docs/rule-format.md', () => {
  it('has a complete example that loads without problems and passes its tests', async () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const { rule, issues } = loadRuleText(example, '/rules/signin/console-login-without-mfa.yml');
    expect(issues).toEqual([]);
    const results = await runRuleTests(
      rule ??
        (() => {
          throw new Error('no rule');
        })(),
    );
    expect(results.every((r) => r.isPassed)).toBe(true);
  });

  it('documents every top-level key and every modifier the loader accepts', () => {
    const undocumentedKeys = [...RULE_KEYS].filter(
      (k) =>
        !['author', 'date', 'modified'].includes(k) && !doc.includes(`${k}:`) && !doc.includes(`\`${k}\``),
    );
    expect(undocumentedKeys).toEqual([]);
    const undocumentedModifiers = [...MODIFIERS].filter((m) => !doc.includes(`\`${m}\``));
    expect(undocumentedModifiers).toEqual([]);
  });
});
