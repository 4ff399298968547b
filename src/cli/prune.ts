// `trailwatch prune --retain 400d [--dry-run]`, and the `--retain` option ingest, watch and serve share.
import { openStore, resolveDbPath } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { PipelineMetrics } from '../pipeline/metrics.js';
import {
  applyRetention,
  describeRetention,
  MIN_RETAIN_MS,
  scheduledRetention,
} from '../pipeline/retention.js';
import type { Store } from '../storage/port.js';
import { parseDuration } from '../rules/duration.js';
import { oneOf, parse, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import type { Io } from './io.js';

export const RETAIN_HELP = `  --retain D             delete events older than now − D (e.g. 400d; at least 1d; default: the
                         configuration's retain, else keep everything); alerts, rule matches and
                         object checkpoints are kept, so pruned objects are not read again`;

export const PRUNE_HELP = `Usage: trailwatch prune --retain D [--dry-run] [--db PATH] [--config PATH]

Deletes events whose eventTime is older than now − D, in bulk. Kept: alerts (with their event ids,
history and triage), rule matches (the state of threshold, new-value and sequence rules), the
quarantine, the outbox, every object checkpoint (so the next poll of the bucket does not bring the
pruned events back), and the credential-ledger rows kept events still need for attribution. The
stored content of objects whose events are all pruned is dropped (their raw records are gone).

${RETAIN_HELP}
  --dry-run              count what would be deleted; change nothing
  --format text|json
`;

/** `--retain D`, declared by every command that prunes (ingest, watch, serve, prune). */
export const RETAIN_OPTION = { retain: { type: 'string' } } as const;

const OPTIONS = {
  ...STORE_OPTIONS,
  ...RETAIN_OPTION,
  'dry-run': { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `--retain`, else the configuration's `retain`, else null (keep everything). */
export function retainOf(flag: string | undefined, config: Config): number | null {
  if (flag === undefined) return config.retainMs;
  const ms = parseDuration(flag);
  if (ms === null) throw new UsageError(`--retain ${flag}: expected a duration such as 400d, 52w or 90d`);
  if (ms < MIN_RETAIN_MS)
    throw new UsageError(
      `--retain ${flag}: at least 1d (CloudTrail delivers events minutes to days late), e.g. --retain 400d`,
    );
  return ms;
}

/** Retention for long-running commands (watch, serve): logs every prune it makes; null when off. */
export function periodicRetention(
  store: Store,
  retainMs: number | null,
  metrics: PipelineMetrics,
  io: Io,
): ReturnType<typeof scheduledRetention> | null {
  if (retainMs === null) return null;
  return scheduledRetention(store, {
    retainMs,
    now: io.now,
    metrics,
    onRun: (run) => io.err(`${new Date(io.now()).toISOString()} ${describeRetention(run)}\n`),
  });
}

export async function runPrune(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(PRUNE_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`prune takes no arguments\n\n${PRUNE_HELP}`);
  const format = oneOf(values.format, '--format', ['text', 'json'] as const) ?? 'text';
  const config = loadConfig(values.config, io.env, io.cwd);
  const retainMs = retainOf(values.retain, config);
  if (retainMs === null)
    throw new UsageError(
      `prune needs --retain D (or retain: in the configuration), e.g. trailwatch prune --retain 400d`,
    );
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  try {
    const run = await applyRetention(store, { retainMs, now: io.now, dryRun: values['dry-run'] ?? false });
    io.out(
      format === 'json'
        ? JSON.stringify({ ...run, cutoff: new Date(run.cutoff).toISOString() }) + '\n'
        : describeRetention(run) + '\n',
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
