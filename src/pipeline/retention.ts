// Retention: delete events older than now − retain, once (`prune`, `ingest`) or periodically (`watch`, `serve`).
import type { PruneResult, Store } from '../storage/port.js';
import type { PipelineMetrics } from './metrics.js';

/** Below a day, retention would delete events CloudTrail is still delivering (up to ~15 min late, backfills later). */
export const MIN_RETAIN_MS = 86_400_000;
/** How often a long-running process prunes. */
export const PRUNE_EVERY_MS = 3_600_000;

export interface RetentionOptions {
  retainMs: number;
  now: () => number;
  metrics?: PipelineMetrics | undefined;
}

export interface RetentionRun extends PruneResult {
  /** Events with an eventTime before this (epoch ms) were deleted. */
  cutoff: number;
  isDryRun: boolean;
}

export async function applyRetention(
  store: Store,
  options: RetentionOptions & { dryRun?: boolean },
): Promise<RetentionRun> {
  const cutoff = options.now() - options.retainMs;
  const isDryRun = options.dryRun ?? false;
  const result = await store.pruneEventsBefore(cutoff, { dryRun: isDryRun });
  if (!isDryRun) options.metrics?.pruned.inc({}, result.events);
  return { ...result, cutoff, isDryRun };
}

/**
 * For long-running processes: `run()` prunes when `everyMs` has passed since the last prune (the
 * first call always prunes), so calling it after every poll costs nothing in between.
 */
export function scheduledRetention(
  store: Store,
  options: RetentionOptions & { everyMs?: number; onRun?: (run: RetentionRun) => void },
): { run: () => Promise<RetentionRun | null> } {
  let last: number | null = null;
  return {
    run: async () => {
      const now = options.now();
      if (last !== null && now - last < (options.everyMs ?? PRUNE_EVERY_MS)) return null;
      last = now;
      const run = await applyRetention(store, options);
      options.onRun?.(run);
      return run;
    },
  };
}

export function describeRetention(run: RetentionRun): string {
  const verb = run.isDryRun ? 'would delete' : 'deleted';
  return (
    `retention: ${verb} ${run.events} events before ${new Date(run.cutoff).toISOString()}, ` +
    `${run.credentials} expired ledger rows, and the stored content of ${run.objectsEmptied} objects ` +
    `(alerts, matches and checkpoints are kept)`
  );
}
