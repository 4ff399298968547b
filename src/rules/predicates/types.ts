// A named predicate: logic that YAML cannot say well, referenced from a rule as '@predicate': name.
import type { MatchView } from '../../domain/rule.js';

export interface Predicate {
  name: string;
  description: string;
  test(view: MatchView): boolean;
}
