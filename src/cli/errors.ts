// The two kinds of failure: ones a user can fix (short message, exit 2) and bugs (stack, please report).
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  /** Ingest finished, but some records or files were quarantined. */
  quarantined: 1,
  /** Bad usage, configuration, source or store: nothing (more) was done. */
  usage: 2,
  /** Some source objects could not be read; the next run retries them. */
  readErrors: 3,
  /** A bug in Trailwatch. */
  internal: 70,
} as const;
