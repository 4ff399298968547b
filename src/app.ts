// Composition root: turns configuration into concrete adapters. The only place that picks implementations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config/types.js';
import type { CompiledRule, RuleIssue } from './domain/rule.js';
import { loadRules } from './rules/load.js';
import { createSink, type DestinationConfig } from './sinks/create.js';
import { SinkError, type Sink } from './sinks/port.js';
import { ConfigError, type ConfigIssue } from './config/load.js';
import { createLocalSource, createStdinSource } from './sources/local/files.js';
import { SourceError, type ListingFilter, type NotificationQueue, type Source } from './sources/port.js';
import { createS3Client, createS3Source } from './sources/s3/index.js';
import { s3Object } from './sources/s3/object.js';
import { createSqsQueue } from './sources/sqs/queue.js';
import {
  createCloudTrailClient,
  createCloudTrailSource,
  historyLimiter,
  isCloudTrailUrl,
  listPublicKeys,
  parseCloudTrailUrl,
  publicKeysLimiter,
  type ErrorContext,
  type RateLimiter,
  type RegionPublicKey,
} from './sources/cloudtrail/index.js';
import { parseTimeArg } from './parse/time.js';
import { parseDuration } from './rules/duration.js';
import { openClickhouseStore } from './storage/clickhouse/store.js';
import { isClickhouseUrl, parseClickhouseUrl } from './storage/clickhouse/url.js';
import { openDuckDbStore, type OpenOptions } from './storage/duckdb/store.js';
import type { Store } from './storage/port.js';

export const DEFAULT_DB = 'trailwatch.duckdb';

/**
 * The store: `--db`, else `TRAILWATCH_DB`, else the configuration's `store`, else
 * `./trailwatch.duckdb`. A DuckDB file path is made absolute; a `clickhouse://` address is kept.
 */
export function resolveDbPath(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
  config?: Config,
): string {
  const target = flag ?? env.TRAILWATCH_DB ?? config?.store ?? DEFAULT_DB;
  return isClickhouseUrl(target) ? target : path.resolve(cwd, target);
}

/**
 * Opens the store the target names: a ClickHouse address, or else a DuckDB file. `bulk` is for the
 * commands that write many events (ingest, hunt, watch): DuckDB then keeps a smaller buffer.
 */
export function openStore(
  target: string,
  now: () => number = Date.now,
  options: OpenOptions = {},
): Promise<Store> {
  return isClickhouseUrl(target) ? openClickhouseStore(target, now) : openDuckDbStore(target, now, options);
}

/** Whether several processes may write to the store at once (DuckDB allows one writer per file). */
export function allowsConcurrentWriters(target: string): boolean {
  return isClickhouseUrl(target);
}

/** A file beside the store (`<store>.<suffix>`); for a ClickHouse store, in `cwd`, named by its database. */
export function besideStore(target: string, suffix: string, cwd: string): string {
  if (!isClickhouseUrl(target)) return `${target}.${suffix}`;
  return path.join(cwd, `${parseClickhouseUrl(target).database}.${suffix}`);
}

export interface SourceOptions {
  filter: ListingFilter;
  aws: { profile?: string; region?: string; endpointUrl?: string };
  stdin: NodeJS.ReadableStream;
  now?: () => number;
}

/** How far back CloudTrail's event history goes. */
export const HISTORY_MS = 90 * 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The event history of one region (`cloudtrail://region?since=…&until=…&window=…`); the URL's times win over
 * the command's `--since/--until`, and the range is clipped to the 90 days the history holds.
 */
function createHistorySource(
  url: string,
  options: SourceOptions,
  limiters: Map<string, RateLimiter>,
): Source {
  const location = parseCloudTrailUrl(url);
  const now = (options.now ?? Date.now)();
  const at = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const ms = parseTimeArg(text, now);
    if (ms === null)
      throw new SourceError(`${name}=${text} in "${url}": expected a time such as 2h, 7d or 2024-05-01`);
    return ms;
  };
  const windowMs = location.window === undefined ? HOUR_MS : parseDuration(location.window);
  if (windowMs === null || windowMs < 60_000)
    throw new SourceError(
      `window=${location.window} in "${url}": expected a duration of 1m or more, e.g. 1h`,
    );
  const since = Math.max(now - HISTORY_MS, at(location.since, 'since') ?? options.filter.since ?? 0);
  const until = Math.min(now, at(location.until, 'until') ?? options.filter.until ?? now);
  const { profile, endpointUrl } = options.aws;
  // The limit is per account and region: URLs of one region (management and Insights) share a bucket.
  const limiterKey = `${profile ?? ''}|${endpointUrl ?? ''}|${location.region}`;
  const limiter = limiters.get(limiterKey) ?? historyLimiter();
  limiters.set(limiterKey, limiter);
  const client = createCloudTrailClient({
    region: location.region,
    ...(profile === undefined ? {} : { profile }),
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
  });
  return createCloudTrailSource({
    client,
    region: location.region,
    since,
    until,
    windowMs,
    isInsights: location.category === 'insight',
    limiter,
    now: options.now ?? Date.now,
  });
}

/**
 * One source per argument: `s3://…` is S3, `cloudtrail://region` the event history, `-` is standard input,
 * anything else is local paths.
 */
export function createSources(args: readonly string[], options: SourceOptions): Source[] {
  const sources: Source[] = [];
  const local: string[] = [];
  const limiters = new Map<string, RateLimiter>();
  for (const arg of args) {
    if (isCloudTrailUrl(arg)) {
      sources.push(createHistorySource(arg, options, limiters));
    } else if (arg.startsWith('s3://')) {
      const client = createS3Client(options.aws);
      sources.push(createS3Source({ client, url: arg, filter: options.filter }));
    } else if (arg === '-') {
      sources.push(createStdinSource(options.stdin));
    } else {
      local.push(arg);
    }
  }
  if (local.length) sources.push(createLocalSource(local, options.filter));
  return sources;
}

/**
 * Lists a region's digest-signing keys through CloudTrail's ListPublicKeys: one client and one rate limit per
 * region (keys are per region). `errors` says how failures name the endpoint option and what else to do.
 */
export function createPublicKeyLister(
  aws: { profile?: string; endpointUrl?: string },
  errors: Omit<ErrorContext, 'permission'>,
): (region: string, start: number, end: number) => Promise<RegionPublicKey[]> {
  const limiters = new Map<string, RateLimiter>();
  return async (region, start, end) => {
    const limiter = limiters.get(region) ?? publicKeysLimiter();
    limiters.set(region, limiter);
    const client = createCloudTrailClient({
      region,
      ...(aws.profile === undefined ? {} : { profile: aws.profile }),
      ...(aws.endpointUrl === undefined ? {} : { endpointUrl: aws.endpointUrl }),
    });
    try {
      return await listPublicKeys({ client, region, start, end, limiter, errors });
    } finally {
      client.destroy();
    }
  };
}

/** Trailwatch's version, from the package.json beside `src/` and `dist/`. */
export function trailwatchVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** The built-in rule pack, shipped beside `src/` and `dist/`. */
export const BUILTIN_RULES = fileURLToPath(new URL('../rules', import.meta.url));

export interface RuleSet {
  rules: CompiledRule[];
  issues: RuleIssue[];
  files: number;
}

/**
 * The rules to run: the built-in pack unless `--rules` names others (`builtin` names the pack).
 * Only stable and test rules are enabled unless `includeDisabled`.
 */
export async function loadRuleSet(
  targets: readonly string[] | undefined,
  cwd: string,
  options: { includeDisabled?: boolean; extraLists?: ReadonlyMap<string, readonly string[]> } = {},
): Promise<RuleSet> {
  const paths = (targets?.length ? targets : ['builtin']).map((t) =>
    t === 'builtin' ? BUILTIN_RULES : path.resolve(cwd, t),
  );
  const loaded = await loadRules(paths, options.extraLists ? { extraLists: options.extraLists } : {});
  const rules = options.includeDisabled
    ? loaded.rules
    : loaded.rules.filter((r) => r.meta.status === 'stable' || r.meta.status === 'test');
  return { rules, issues: loaded.issues, files: loaded.files };
}

/** Named lists from the configuration and the command line, the latter added to the former. */
export function mergeLists(...sources: ReadonlyMap<string, readonly string[]>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const source of sources)
    for (const [name, values] of source) out.set(name, [...(out.get(name) ?? []), ...values]);
  return out;
}

/** One sink per configured destination. */
export function createSinks(
  config: Config,
  io: { now: () => number; err: (text: string) => void },
): Map<string, Sink> {
  const sinks = new Map<string, Sink>();
  const problems: ConfigIssue[] = [];
  for (const d of config.destinations) {
    try {
      sinks.set(
        d.name,
        createSink({ name: d.name, type: d.type, ...d.fields } as DestinationConfig, {
          now: io.now,
          write: io.err,
        }),
      );
    } catch (err) {
      if (!(err instanceof SinkError)) throw err;
      problems.push({
        file: config.file ?? 'configuration',
        line: null,
        path: `destination ${d.name}`,
        message: err.message,
      });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return sinks;
}

export async function closeSinks(sinks: ReadonlyMap<string, Sink>): Promise<void> {
  for (const s of sinks.values()) await s.close?.();
}

/** The SQS queue of object-created notifications. */
export function createNotificationQueue(
  url: string,
  options: { region?: string; endpointUrl?: string; waitSeconds?: number },
): NotificationQueue {
  return createSqsQueue({ url, ...options });
}

export { createS3Client, s3Object };
