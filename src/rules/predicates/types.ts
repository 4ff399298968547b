// A named predicate: logic that YAML cannot say well, referenced from a rule as '@predicate': name.
import type { MatchView } from '../../domain/rule.js';

export interface Predicate {
  name: string;
  description: string;
  /** Reads the view, never changes it: one event's view is tested by every rule it meets. */
  test(view: MatchView): boolean;
}
