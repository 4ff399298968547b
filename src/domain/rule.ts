// Rules as the engine sees them: metadata, a compiled detection, output settings, embedded tests.
import type { Json, JsonObject } from './json.js';

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const STATUSES = ['experimental', 'test', 'stable', 'deprecated'] as const;
export type RuleStatus = (typeof STATUSES)[number];
export const RULE_TYPES = ['match', 'threshold', 'new-value', 'sequence'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export interface RuleMeta {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  status: RuleStatus;
  tactics: string[];
  techniques: string[];
  references: string[];
  falsePositives: string[];
  runbook: string;
  equivalents: Record<string, string[]>;
  /** Where the rule came from. */
  file: string;
  format: 'trailwatch' | 'sigma';
}

/**
 * What the engine evaluates a rule against: the raw record plus attribution fields, which rules read
 * as `actor.…` and `sessionNameCheck.…` (rules/fields.ts). One event's view is built once and never
 * changed: entries shared by rules keep their answer for the last view.
 */
export interface MatchView {
  /** The record as CloudTrail wrote it (not copied, not changed). */
  readonly record: JsonObject;
  readonly actor: JsonObject;
  readonly sessionNameCheck: Json;
}

export interface RuleTest {
  name: string;
  /** One event for `match` rules; several for stateful rules. */
  events: JsonObject[];
  /** Expected number of alerts (true = at least one for one event, false = none). */
  expect: { alert: boolean } | { alerts: number };
  line: number | null;
}

export interface ThresholdSpec {
  count: number;
  distinct: string | null;
  windowMs: number;
}

export interface NewValueSpec {
  value: string;
  learningMs: number;
}

export interface SequenceSpec {
  /** The entity the steps share: the first of these fields that has a value in each event. */
  by: string[];
  windowMs: number;
  steps: string[];
}

export interface CompiledRule {
  meta: RuleMeta;
  type: RuleType;
  /** Event names (lowercase) that can match, or null for any; the same for event sources. */
  eventNames: ReadonlySet<string> | null;
  eventSources: ReadonlySet<string> | null;
  /** For match/threshold/new-value: does the event match. */
  matches(view: MatchView): boolean;
  /** For sequence rules: the steps (selection names) this event matches. */
  steps(view: MatchView): readonly string[];
  groupKey(view: MatchView): string;
  /** For sequence rules: the entity the steps must share (`sequence.by`). */
  groupKeyForSequence(view: MatchView): string;
  /** The value counted (threshold distinct) or tracked (new value); null otherwise. */
  value(view: MatchView): string | null;
  title(view: MatchView): string;
  severity(view: MatchView): Severity;
  fields: string[];
  /** Every field path the rule reads (selections, group keys, title, stateful specs). */
  usedFields: string[];
  dedupMs: number;
  threshold: ThresholdSpec | null;
  newValue: NewValueSpec | null;
  sequence: SequenceSpec | null;
  tests: RuleTest[];
}

export interface RuleIssue {
  file: string;
  line: number | null;
  path: string;
  message: string;
  severity: 'error' | 'warning';
}
