// Evaluation: turns stored, not yet evaluated matches into alerts. Restart-safe and idempotent.
import type { MatchRow } from '../domain/alert.js';
import { groupBy } from '../domain/group.js';
import type { CompiledRule } from '../domain/rule.js';
import { evaluateKey } from '../engine/evaluate.js';
import type { Store } from '../storage/port.js';

export interface EvaluationSummary {
  keys: number;
  alerts: number;
}

const KEYS_PER_ROUND = 5000;

/** Evaluates every pending alert key; matches of rules not loaded now are marked evaluated without alerts. */
export async function evaluatePending(
  store: Store,
  rules: readonly CompiledRule[],
): Promise<EvaluationSummary> {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const summary = { keys: 0, alerts: 0 };
  const dataStart = await store.dataStart();
  for (;;) {
    const keys = await store.pendingAlertKeys(KEYS_PER_ROUND);
    if (!keys.length) return summary;
    const groups = groupBy(await store.matchesFor(keys), (m) => `${m.ruleId}\u0000${m.alertKey}`);
    const alerts = [...groups.values()].flatMap((rows) => {
      const rule = byId.get((rows[0] as MatchRow).ruleId);
      return rule ? evaluateKey(rule, rows, { dataStart }) : [];
    });
    await store.saveAlerts(alerts, keys);
    summary.keys += keys.length;
    summary.alerts += alerts.length;
  }
}
