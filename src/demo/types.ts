// The shape of a generated demo trail: log files, digest files and the attack story told by the records.
import type { JsonObject } from '../domain/json.js';

export interface GenerateDemoOptions {
  /** PRNG seed; the same seed and `end` always give the same trail. */
  seed?: number;
  /** Epoch milliseconds of the newest event; the caller passes `Date.now()`. */
  end: number;
  /** How many days of activity to generate, ending at `end` (default 3, at least 1). */
  days?: number;
}

/** One CloudTrail log object: written as gzipped `{"Records":[…]}` at `key`. */
export interface DemoLogFile {
  key: string;
  records: JsonObject[];
}

/**
 * One CloudTrail digest object under `CloudTrail-Digest/`. Digests are not `{"Records":[…]}`, so they are
 * kept in their own list rather than mixed into `files`; `digest` is written as-is (gzipped JSON).
 */
export interface DemoDigestFile {
  key: string;
  digest: JsonObject;
}

export interface DemoScenarioStep {
  /** `a` … `h`, in the order the attack happened. */
  step: string;
  description: string;
  /** The distinct event names of the step's records, in order of first occurrence. */
  eventNames: string[];
  /** The account the step acts in (a cross-account step also has copies in the other account). */
  account: string;
  /** Every record of the step, including cross-account copies. */
  eventIds: string[];
}

export interface DemoTrail {
  files: DemoLogFile[];
  digests: DemoDigestFile[];
  scenario: DemoScenarioStep[];
}
