// Evaluation: turns stored, not yet evaluated matches into alerts. Restart-safe and idempotent.
import type { Alert } from '../domain/alert.js';
import type { CompiledRule } from '../domain/rule.js';
import { evaluateSequence, evaluateSummary } from '../engine/evaluate.js';
import { compileSuppression, suppressionFor } from '../engine/suppress.js';
import type { Store } from '../storage/port.js';

export interface EvaluationSummary {
  keys: number;
  alerts: number;
}

const KEYS_PER_ROUND = 5000;

/**
 * Evaluates every pending alert key; matches of rules not loaded now are marked evaluated without
 * alerts. A sequence found earlier is never removed by later matches (they can only add occurrences).
 */
export async function evaluatePending(
  store: Store,
  rules: readonly CompiledRule[],
  now: number,
): Promise<EvaluationSummary> {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const suppressions = (await store.suppressions()).map((s) => ({ s, test: compileSuppression(s) }));
  const suppress = (a: Alert): Alert => ({ ...a, suppressedBy: suppressionFor(a, suppressions, now) });
  const summary = { keys: 0, alerts: 0 };
  const dataStart = await store.dataStart();
  for (;;) {
    const pending = await store.pendingAlertKeys(KEYS_PER_ROUND);
    if (!pending.length) return summary;
    const alerts: Alert[] = [];
    const replace: string[] = [];
    // Sequences read the matches around the new ones; other types need only a summary per key.
    const sequences = pending.filter((k) => byId.get(k.ruleId)?.type === 'sequence');
    const others = pending.filter((k) => byId.get(k.ruleId) && byId.get(k.ruleId)?.type !== 'sequence');
    const summaries = await store.keySummaries(others.map((k) => k.alertKey));
    for (const k of others) {
      const rule = byId.get(k.ruleId);
      const s = summaries.get(k.alertKey);
      if (rule && s) alerts.push(...evaluateSummary(rule, s, { dataStart }));
      replace.push(k.alertKey);
    }
    for (const k of sequences) {
      const rule = byId.get(k.ruleId) as CompiledRule;
      const window = rule.sequence?.windowMs ?? 0;
      alerts.push(
        ...evaluateSequence(rule, await store.matchesBetween(k.alertKey, k.from - window, k.to + window)),
      );
    }
    await store.saveAlerts(
      alerts.map(suppress),
      pending.map((k) => k.alertKey),
      replace,
    );
    summary.keys += pending.length;
    summary.alerts += alerts.length;
  }
}
