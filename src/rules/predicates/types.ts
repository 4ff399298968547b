// A named predicate: logic that YAML cannot say well, referenced from a rule as '@predicate': name.
import type { JsonObject } from '../../domain/json.js';

export interface Predicate {
  name: string;
  description: string;
  /** Reads the raw record (as CloudTrail wrote it), never changes it: every rule an event meets reads it. */
  test(record: JsonObject): boolean;
}
