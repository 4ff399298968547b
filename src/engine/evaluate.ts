// Stateful semantics: from all the matches of one alert key to the alerts they make. Pure and order-free.
import type { Alert, MatchRow } from '../domain/alert.js';
import { SEVERITIES, type CompiledRule } from '../domain/rule.js';
import { hashKey } from './match.js';

export const MAX_EVENT_IDS = 100;

export interface EvaluationContext {
  /** The time of the oldest stored event: new-value rules learn from there. */
  dataStart: number | null;
}

function byTime(a: MatchRow, b: MatchRow): number {
  return a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** One alert from matches (sorted by time): the first match names it, the highest severity wins. */
function alertOf(id: string, rows: MatchRow[]): Alert {
  const first = rows[0] as MatchRow;
  const last = rows[rows.length - 1] as MatchRow;
  let severity = first.severity;
  for (const r of rows)
    if (SEVERITIES.indexOf(r.severity) > SEVERITIES.indexOf(severity)) severity = r.severity;
  return {
    id,
    ruleId: first.ruleId,
    alertKey: first.alertKey,
    title: first.title,
    severity,
    groupKey: first.groupKey,
    firstSeen: first.eventTime,
    lastSeen: last.eventTime,
    count: new Set(rows.map((r) => r.eventId)).size,
    eventIds: [...new Set(rows.map((r) => r.eventId))].slice(0, MAX_EVENT_IDS),
    account: first.recipientAccountId,
    region: first.region,
    sourceIp: first.sourceIp,
    actorArn: first.actorArn,
    origin: first.origin,
  };
}

/** Ordered occurrences of the steps on one entity, each within the window from its first step. */
function sequences(rule: CompiledRule, unordered: MatchRow[]): MatchRow[][] {
  const steps = rule.sequence?.steps ?? [];
  // CloudTrail times have one-second resolution: steps within the same second count as in order.
  const rows = [...unordered].sort(
    (a, b) =>
      a.eventTime - b.eventTime || steps.indexOf(a.step ?? '') - steps.indexOf(b.step ?? '') || byTime(a, b),
  );
  const window = rule.sequence?.windowMs ?? 0;
  const found: MatchRow[][] = [];
  // Each first-step match starts a candidate; the earliest completion of each is an occurrence.
  const used = new Set<MatchRow>();
  for (const [i, start] of rows.entries()) {
    if (start.step !== steps[0] || used.has(start)) continue;
    const chain = [start];
    for (const row of rows.slice(i + 1)) {
      if (row.eventTime - start.eventTime > window) break;
      if (row.step === steps[chain.length]) chain.push(row);
      if (chain.length === steps.length) break;
    }
    if (chain.length === steps.length) {
      found.push(chain);
      for (const r of chain) used.add(r);
    }
  }
  return found;
}

/** The alerts that the matches of one alert key make (empty when a stateful condition is not met). */
export function evaluateKey(
  rule: CompiledRule,
  matches: readonly MatchRow[],
  ctx: EvaluationContext,
): Alert[] {
  if (!matches.length) return [];
  const rows = [...matches].sort(byTime);
  const key = (rows[0] as MatchRow).alertKey;
  switch (rule.type) {
    case 'match':
      return [alertOf(key, rows)];
    case 'threshold': {
      const t = rule.threshold;
      if (!t) return [];
      const n = t.distinct
        ? new Set(rows.map((r) => r.value ?? '')).size
        : new Set(rows.map((r) => r.eventId)).size;
      return n >= t.count ? [alertOf(key, rows)] : [];
    }
    case 'new-value': {
      const learning = rule.newValue?.learningMs ?? 0;
      const first = rows[0] as MatchRow;
      if (ctx.dataStart !== null && first.eventTime < ctx.dataStart + learning) return [];
      return [alertOf(key, rows)];
    }
    case 'sequence':
      return sequences(rule, rows).map((chain) =>
        alertOf(hashKey(key, (chain[0] as MatchRow).eventId), chain),
      );
  }
}
