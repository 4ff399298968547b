// Stateful semantics: from all the matches of one alert key to the alerts they make. Pure and order-free.
import { MAX_EVENT_IDS, type Alert, type KeyCount, type KeySummary, type MatchRow } from '../domain/alert.js';
import { SEVERITIES, type CompiledRule } from '../domain/rule.js';
import { hashKey } from './match.js';

export interface EvaluationContext {
  /** The time of the oldest stored event: new-value rules learn from there. */
  dataStart: number | null;
}

function byTime(a: MatchRow, b: MatchRow): number {
  return a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** The summary of a key's matches, as the store computes it in SQL. */
export function summarize(matches: readonly MatchRow[]): KeySummary | null {
  const rows = [...matches].sort(byTime);
  const first = rows[0];
  if (!first) return null;
  let severity = first.severity;
  for (const r of rows)
    if (SEVERITIES.indexOf(r.severity) > SEVERITIES.indexOf(severity)) severity = r.severity;
  const ids = [...new Set(rows.map((r) => r.eventId))];
  return {
    first,
    lastSeen: (rows[rows.length - 1] as MatchRow).eventTime,
    count: ids.length,
    distinctValues: new Set(rows.map((r) => r.value).filter((v) => v !== null)).size,
    eventIds: ids.slice(0, MAX_EVENT_IDS),
    severity,
  };
}

/** One alert from a key's summary: the first match names it, the highest severity wins. */
function alertOf(id: string, s: KeySummary): Alert {
  const { first } = s;
  return {
    id,
    ruleId: first.ruleId,
    alertKey: first.alertKey,
    title: first.title,
    severity: s.severity,
    groupKey: first.groupKey,
    firstSeen: first.eventTime,
    lastSeen: s.lastSeen,
    count: s.count,
    eventIds: s.eventIds,
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

/** Whether a threshold rule's key has enough events (or distinct values) to alert. */
export function reachesThreshold(rule: CompiledRule, c: KeyCount): boolean {
  const t = rule.threshold;
  return t !== null && (t.distinct ? c.distinctValues : c.count) >= t.count;
}

/** Alerts of a match, threshold or new-value key, from its summary (empty when the condition is not met). */
export function evaluateSummary(rule: CompiledRule, s: KeySummary, ctx: EvaluationContext): Alert[] {
  const key = s.first.alertKey;
  switch (rule.type) {
    case 'match':
      return [alertOf(key, s)];
    case 'threshold':
      return reachesThreshold(rule, s) ? [alertOf(key, s)] : [];
    case 'new-value':
      return ctx.dataStart !== null && isLearning(rule, s.first.eventTime, ctx.dataStart)
        ? []
        : [alertOf(key, s)];
    case 'sequence':
      return [];
  }
}

/** Whether a new-value key first seen at `first` was seen in the learning period (no alert). */
export function isLearning(rule: CompiledRule, first: number, dataStart: number): boolean {
  return first < learningEnd(rule, dataStart);
}

/** When a new-value rule's learning period ends (excluded), for data stored from `dataStart`. */
export function learningEnd(rule: CompiledRule, dataStart: number): number {
  return dataStart + (rule.newValue?.learningMs ?? 0);
}

/** Alerts of a sequence key from its matches (those of the time span being evaluated). */
export function evaluateSequence(rule: CompiledRule, matches: readonly MatchRow[]): Alert[] {
  const key = matches[0]?.alertKey ?? '';
  return sequences(rule, [...matches]).map((chain) => {
    const s = summarize(chain) as KeySummary;
    return alertOf(hashKey(key, s.first.eventId), s);
  });
}

/** The alerts that all the matches of one alert key make. */
export function evaluateKey(
  rule: CompiledRule,
  matches: readonly MatchRow[],
  ctx: EvaluationContext,
): Alert[] {
  if (rule.type === 'sequence') return evaluateSequence(rule, matches);
  const s = summarize(matches);
  return s ? evaluateSummary(rule, s, ctx) : [];
}
