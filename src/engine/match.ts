// Matching: rules indexed by event name and source, so an event meets only the rules that can match it.
import { hash } from 'node:crypto';
import type { MatchRow } from '../domain/alert.js';
import type { CloudTrailEvent } from '../domain/event.js';
import type { Origin } from '../domain/identity.js';
import type { CompiledRule, MatchView } from '../domain/rule.js';

export interface RuleIndex {
  rules: readonly CompiledRule[];
  byName: ReadonlyMap<string, CompiledRule[]>;
  /** Rules that can match any event name. */
  anyName: readonly CompiledRule[];
  /** The candidates of each event name, then source, seen so far (as spelled in the events). */
  candidates: Map<string, Map<string, CompiledRule[]>>;
  /** Each rule's last alert key, with the group and window (or value) it was made of. */
  lastKeys: Map<CompiledRule, { group: string; part: string | number | null; key: string }>;
}

export function buildIndex(rules: readonly CompiledRule[]): RuleIndex {
  const byName = new Map<string, CompiledRule[]>();
  const anyName: CompiledRule[] = [];
  for (const rule of rules) {
    if (!rule.eventNames) {
      anyName.push(rule);
      continue;
    }
    for (const name of rule.eventNames) byName.set(name, [...(byName.get(name) ?? []), rule]);
  }
  return { rules, byName, anyName, candidates: new Map(), lastKeys: new Map() };
}

/** Recent keys: most matches of a batch count toward an alert key another match already named. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS = 50_000;

export function hashKey(...parts: (string | number)[]): string {
  const text = parts.join('\u0000');
  let key = recentKeys.get(text);
  if (key === undefined) {
    // The one-shot digest: the same SHA-256, at less than half the cost of a Hash object per key.
    key = hash('sha256', text, 'hex').slice(0, 24);
    if (recentKeys.size >= RECENT_KEYS) recentKeys.clear();
    recentKeys.set(text, key);
  }
  return key;
}

/** The fixed window a match or threshold key spans (its dedup or counting window), 0 for others. */
function keyWindowMs(rule: CompiledRule): number {
  if (rule.type === 'match') return Math.max(1, rule.dedupMs);
  if (rule.type === 'threshold') return Math.max(1, rule.threshold?.windowMs ?? 1);
  return 0;
}

/**
 * The times every match of the key a match at `time` counts toward lies in (both ends included):
 * its fixed window for match and threshold rules, null for new-value and sequence keys (all time).
 * Keys made before a rule's window was edited lie in their old window, which this does not know.
 */
export function keySpan(rule: CompiledRule, time: number): { from: number; to: number } | null {
  const w = keyWindowMs(rule);
  if (!w) return null;
  const from = Math.floor(time / w) * w;
  return { from, to: from + w - 1 };
}

/**
 * What besides rule and group names the key a match counts toward: its fixed window for match and
 * threshold rules, its value for new-value rules, nothing (null) for sequences.
 */
function keyPart(rule: CompiledRule, value: string | null, time: number): string | number | null {
  switch (rule.type) {
    case 'match':
    case 'threshold':
      return Math.floor(time / keyWindowMs(rule));
    case 'new-value':
      return value ?? '';
    case 'sequence':
      return null;
  }
}

/**
 * The alert a match counts toward, before evaluation: fixed windows make it order-independent. The
 * rule's last key is used again when its group and part are the last's: a busy identity's matches
 * of one rule come in runs, and a key found in the table of recent keys still costs its joined text
 * and a look-up in a large table.
 */
function alertKeyOf(
  index: RuleIndex,
  rule: CompiledRule,
  group: string,
  value: string | null,
  time: number,
): string {
  const part = keyPart(rule, value, time);
  const last = index.lastKeys.get(rule);
  if (last && last.group === group && last.part === part) return last.key;
  const key = part === null ? hashKey(rule.meta.id, group) : hashKey(rule.meta.id, group, part);
  if (last) {
    last.group = group;
    last.part = part;
    last.key = key;
  } else index.lastKeys.set(rule, { group, part, key });
  return key;
}

/** A rule that is no sequence matches once without a step, or not at all (lists shared, not made per call). */
const MATCHED: readonly null[] = [null];
const UNMATCHED: readonly null[] = [];

export function matchEvent(
  index: RuleIndex,
  view: MatchView,
  event: CloudTrailEvent,
  origin: Origin,
  rows: MatchRow[] = [],
): MatchRow[] {
  // Indexed loops, no closure, no list per event: this runs for every stored event (a for-of here
  // made an iterator result per step).
  const rules = candidateRules(index, event);
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as CompiledRule;
    const steps = rule.type === 'sequence' ? rule.steps(view) : rule.matches(view) ? MATCHED : UNMATCHED;
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s] as string | null;
      const group = rule.type === 'sequence' ? rule.groupKeyForSequence(view) : rule.groupKey(view);
      if (rule.type === 'sequence' && group === '') continue; // no entity to follow
      const value = rule.value(view);
      rows.push({
        ruleId: rule.meta.id,
        alertKey: alertKeyOf(index, rule, group, value, event.eventTime),
        eventId: event.eventId,
        recipientAccountId: event.recipientAccountId,
        eventTime: event.eventTime,
        groupKey: group,
        value,
        step,
        title: rule.title(view),
        severity: rule.severity(view),
        region: event.awsRegion,
        sourceIp: event.sourceIpAddress,
        actorArn: event.actor.arn,
        origin,
      });
    }
  }
  return rows;
}

/** The rules whose selection an event is tested against: by its name, then its source. */
export function candidateRules(index: RuleIndex, event: CloudTrailEvent): CompiledRule[] {
  // Looked up by the spellings as they come, without making a key: most events repeat a few
  // hundred names and sources, and the lowercased pair was made anew for each.
  const name = event.eventName ?? '';
  const source = event.eventSource ?? '';
  let bySource = index.candidates.get(name);
  if (!bySource) {
    // Names are a few hundred in practice; a flood of junk names must not grow it without end.
    if (index.candidates.size >= 10_000) index.candidates.clear();
    index.candidates.set(name, (bySource = new Map<string, CompiledRule[]>()));
  }
  let rules = bySource.get(source);
  if (!rules) {
    const lowerName = name.toLowerCase();
    const lowerSource = source.toLowerCase();
    rules = [...(index.byName.get(lowerName) ?? []), ...index.anyName].filter(
      (rule) => !rule.eventSources || rule.eventSources.has(lowerSource),
    );
    if (bySource.size >= 1_000) bySource.clear();
    bySource.set(source, rules);
  }
  return rules;
}
