// Runs the tests embedded in rules through the same path as ingest: normalize, attribute, match, evaluate.
import type { CompiledRule, RuleTest } from '../domain/rule.js';
import { jsonText } from '../domain/json.js';
import { BASE_TEST_RECORD, deepMerge } from '../rules/base-record.js';
import { detectInMemory } from './evaluate-memory.js';

export interface RuleTestResult {
  ruleId: string;
  file: string;
  test: string;
  line: number | null;
  isPassed: boolean;
  expected: string;
  actual: number;
  detail: string | null;
}

const MINUTE = 60_000;

async function runOne(
  rule: CompiledRule,
  test: RuleTest,
): Promise<{ alerts: number; detail: string | null }> {
  const start = Date.parse(jsonText(BASE_TEST_RECORD.eventTime));
  const records = test.events.map((partial, i) =>
    deepMerge(
      {
        ...BASE_TEST_RECORD,
        eventID: `test-event-${i + 1}`,
        eventTime: new Date(start + i * MINUTE).toISOString().replace('.000Z', 'Z'),
      },
      partial,
    ),
  );
  const result = await detectInMemory([rule], records);
  const [bad] = result.rejected;
  if (bad) return { alerts: -1, detail: `event ${bad.index + 1} does not normalize: ${bad.detail}` };
  return { alerts: result.alerts.length, detail: null };
}

export async function runRuleTests(rule: CompiledRule): Promise<RuleTestResult[]> {
  const results: RuleTestResult[] = [];
  for (const test of rule.tests) {
    const { alerts, detail } = await runOne(rule, test);
    const isPassed =
      'alert' in test.expect ? alerts > 0 === test.expect.alert : alerts === test.expect.alerts;
    results.push({
      ruleId: rule.meta.id,
      file: rule.meta.file,
      test: test.name,
      line: test.line,
      isPassed: isPassed && detail === null,
      expected:
        'alert' in test.expect
          ? test.expect.alert
            ? 'an alert'
            : 'no alert'
          : `${test.expect.alerts} alerts`,
      actual: alerts,
      detail,
    });
  }
  return results;
}
