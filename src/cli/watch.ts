// `trailwatch watch`: a long-running collector — polls S3 or folders, or consumes an SQS queue; stores,
// detects, notifies; stops cleanly on SIGINT/SIGTERM.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import {
  closeSinks,
  createNotificationQueue,
  createS3Client,
  createSinks,
  createSources,
  mergeLists,
  openStore,
  resolveDbPath,
  besideStore,
  s3Object,
  trailwatchVersion,
} from '../app.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { CompiledRule } from '../domain/rule.js';
import { consumeOnce } from '../pipeline/consume.js';
import { dispatchDue } from '../pipeline/dispatch.js';
import {
  createPipelineMetrics,
  recordDispatch,
  renderMetrics,
  type PipelineMetrics,
} from '../pipeline/metrics.js';
import { startMetricsServer } from '../server/metrics.js';
import { quarantinedTotal, type IngestOptions } from '../pipeline/ingest.js';
import { watch } from '../pipeline/watch.js';
import { parseDuration } from '../rules/duration.js';
import type { Store } from '../storage/port.js';
import {
  configuredPolicy,
  list,
  namedLists,
  parse,
  positiveInt,
  ruleTargets,
  STORE_OPTIONS,
} from './args.js';
import { EXIT, UsageError } from './errors.js';
import { loadDetection } from './ingest.js';
import type { Io } from './io.js';
import { periodicRetention, RETAIN_HELP, RETAIN_OPTION, retainOf } from './prune.js';
import type { WorkerSlice } from '../pipeline/partition.js';
import { runChildren, WORKER_OPTIONS, WORKERS_HELP, workerPlan } from './workers.js';

export const WATCH_HELP = `Usage: trailwatch watch <source…> [options]
       trailwatch watch --sqs QUEUE_URL [options]

Polls the sources (s3://bucket[/prefix], cloudtrail://REGION event history, or local directories)
— or consumes an SQS queue — stores every new object, evaluates the rules and dispatches
notifications, until SIGINT or SIGTERM; the batch in progress is finished, so a restart continues
where it stopped.

  --interval D           time between polls (default 60s)
  --lookback D           for S3: list the delivery days of this period before now (default 2d),
                         so new days, accounts and regions appear by themselves
  --sqs URL              consume S3 object-created notifications instead of polling (S3 → SQS,
                         S3 → SNS → SQS raw or wrapped, CloudTrail's SNS notices; s3:TestEvent is
                         acknowledged); a message is deleted only after its objects are stored; one
                         failing --max-receives times (default 5), or no notification at all, is
                         written to --dead-letter FILE (default <store>.dead-letters.jsonl) and deleted
  --wait S               long-poll wait in seconds for --sqs (default 20)
  --metrics-port P       serve Prometheus metrics at http://HOST:P/metrics (off unless given)
  --metrics-host H       address for the metrics (default 127.0.0.1); any other address needs
                         --metrics-token T (default $TRAILWATCH_TOKEN), sent as Authorization: Bearer T
${RETAIN_HELP}
                         (first when collecting starts, then at most hourly)
  --accounts ID,…  --regions R,…
  --profile P, --region R, --endpoint-url URL
  --rules DIR, --list NAME=V,…, --session-name-policy P, --config PATH, --db PATH
${WORKERS_HELP}
`;

/** The watcher's own options; `serve --watch` takes them too. */
export const WATCH_OPTIONS = {
  interval: { type: 'string' },
  lookback: { type: 'string' },
  sqs: { type: 'string' },
  wait: { type: 'string' },
  'max-receives': { type: 'string' },
  'dead-letter': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'metrics-token': { type: 'string' },
  accounts: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  rules: { type: 'string', multiple: true },
  list: { type: 'string', multiple: true },
  'session-name-policy': { type: 'string' },
} as const;

const OPTIONS = {
  ...STORE_OPTIONS,
  ...WORKER_OPTIONS,
  ...WATCH_OPTIONS,
  ...RETAIN_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

/** What prepareWatch reads: the watcher's options and --retain (serve declares both too). */
export type WatchValues = ReturnType<typeof parse<typeof WATCH_OPTIONS & typeof RETAIN_OPTION>>['values'];

function duration(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0)
    throw new UsageError(`${flag} ${value}: expected a duration such as 30s, 5m or 2d`);
  return ms;
}

interface Running {
  store: Store;
  io: Io;
  values: WatchValues;
  aws: { profile?: string; region?: string; endpointUrl?: string };
  options: Pick<IngestOptions, 'detection' | 'afterBatch' | 'metrics' | 'hasOtherWriters'>;
  /** Polling reads only this worker's slice of the objects; a queue is consumed by every worker. */
  slice: IngestOptions['worker'];
  signal: AbortSignal;
  /** Retention, when configured: prunes if an hour has passed since it last did. */
  prune: () => Promise<void>;
}

async function consumeQueue(r: Running, url: string, dbPath: string): Promise<void> {
  const { io, values } = r;
  const deadLetter = path.resolve(
    io.cwd,
    values['dead-letter'] ?? besideStore(dbPath, 'dead-letters.jsonl', io.cwd),
  );
  const queue = createNotificationQueue(url, {
    ...r.aws,
    waitSeconds: positiveInt(values.wait, '--wait') ?? 20,
  });
  const s3 = createS3Client(r.aws);
  const maxReceives = positiveInt(values['max-receives'], '--max-receives') ?? 5;
  io.err(`consuming ${url} (Ctrl-C stops)\n`);
  try {
    while (!r.signal.aborted) {
      await r.prune();
      const s = await consumeOnce(r.store, queue, {
        ...r.options,
        resolve: (o) => s3Object(s3, o.bucket, o.key, o.etag, o.size),
        maxReceives,
        onDeadLetter: (m, reason) =>
          appendFile(
            deadLetter,
            JSON.stringify({
              at: new Date(io.now()).toISOString(),
              messageId: m.id,
              receiveCount: m.receiveCount,
              reason,
              body: m.body,
            }) + '\n',
          ),
      });
      if (s.messages)
        io.err(
          `${new Date(io.now()).toISOString()} ${s.messages} messages: ${s.ingest?.eventsStored ?? 0} events, ` +
            `${s.ingest?.alerts ?? 0} alerts written, ${s.removed} removed, ${s.retried} left for retry, ${s.deadLettered} dead-lettered\n`,
        );
    }
  } finally {
    await queue.close();
    s3.destroy();
  }
}

async function pollSources(
  r: Running,
  positionals: string[],
  intervalMs: number,
  lookbackMs: number,
): Promise<void> {
  const { io, values } = r;
  const accounts = list(values.accounts);
  const regions = list(values.regions);
  io.err(`watching ${positionals.join(', ')} every ${intervalMs / 1000}s (Ctrl-C stops)\n`);
  await watch(
    r.store,
    () =>
      createSources(positionals, {
        filter: {
          since: io.now() - lookbackMs,
          ...(accounts ? { accounts } : {}),
          ...(regions ? { regions } : {}),
        },
        aws: r.aws,
        stdin: io.stdin,
        now: io.now,
      }),
    {
      intervalMs,
      signal: r.signal,
      ...r.options,
      afterCycle: r.prune,
      ...(r.slice ? { worker: r.slice } : {}),
      onCycle: (s, cycle) => {
        if (cycle === 1)
          io.err(`first poll: ${s.objectsListed} objects listed, ${s.objectsSkipped} already stored\n`);
        if (s.objectsRead || s.readErrors.length)
          io.err(
            `${new Date(io.now()).toISOString()} ${s.objectsRead} objects, ${s.eventsStored} events, ${s.alerts} alerts written, ` +
              `${quarantinedTotal(s)} quarantined, ${s.readErrors.length} unreadable\n`,
          );
      },
    },
  );
}

/** A watcher ready to run: its flags checked, its rules loaded and its sinks made, before the store opens. */
export interface PreparedWatch {
  /** Collects until `signal`, counting into `metrics`; `prune` is retention's turn (between polls). */
  run(
    store: Store,
    dbPath: string,
    signal: AbortSignal,
    metrics: PipelineMetrics,
    prune: () => Promise<void>,
    /** This worker's share of polled objects (--worker I/N); every object without it. */
    slice?: WorkerSlice,
  ): Promise<void>;
  close(): Promise<void>;
  rules: CompiledRule[];
  /** --retain (or the configuration's retain), checked before the store opens. */
  retainMs: number | null;
  /** Where --metrics-port serves, when given. */
  metricsAt: MetricsAddress | null;
}

export async function prepareWatch(
  values: WatchValues,
  positionals: string[],
  io: Io,
  config: Config,
): Promise<PreparedWatch> {
  const intervalMs = duration(values.interval, '--interval', 60_000);
  const lookbackMs = duration(values.lookback, '--lookback', 2 * 86_400_000);
  const aws = {
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values.region !== undefined && { region: values.region }),
    ...(values['endpoint-url'] !== undefined && { endpointUrl: values['endpoint-url'] }),
  };
  const rules: CompiledRule[] = await loadDetection(
    ruleTargets(values.rules, config),
    io,
    mergeLists(config.lists, namedLists(values.list)),
  );
  const metricsAt = metricsAddress(values, io.env);
  const retainMs = retainOf(values.retain, config);
  const policy = configuredPolicy(values['session-name-policy'], config);
  const sinks = createSinks(config, io);
  return {
    rules,
    retainMs,
    metricsAt,
    close: () => closeSinks(sinks),
    async run(store, dbPath, signal, metrics, prune, slice) {
      const running: Running = {
        store,
        io,
        values,
        aws,
        signal,
        prune,
        slice,
        options: {
          ...(slice ? { hasOtherWriters: true } : {}),
          detection: {
            rules,
            policy,
            now: io.now,
            notify: { routes: config.routes, uiBaseUrl: config.uiBaseUrl },
          },
          metrics,
          ...(sinks.size
            ? {
                afterBatch: async () =>
                  recordDispatch(metrics, await dispatchDue(store, sinks, config.retry, io.now)),
              }
            : {}),
        },
      };
      io.err(`${rules.length} rules\n`);
      if (values.sqs) await consumeQueue(running, values.sqs, dbPath);
      else await pollSources(running, positionals, intervalMs, lookbackMs);
    },
  };
}

export async function runWatch(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(WATCH_HELP);
    return EXIT.ok;
  }
  if (!positionals.length && !values.sqs)
    throw new UsageError(
      `watch needs a source or --sqs QUEUE_URL, e.g. trailwatch watch s3://org-trail\n\n${WATCH_HELP}`,
    );
  const config = loadConfig(values.config, io.env, io.cwd);
  const dbPath = resolveDbPath(values.db, io.env, io.cwd, config);
  const plan = workerPlan(values, dbPath);
  if (plan.children) {
    // Opened once here so that the children do not race to create the schema.
    await (await openStore(dbPath, io.now)).close();
    const results = await runChildren('watch', argv, plan.children, io, signal);
    return Math.max(...results.map((r) => r.code));
  }
  const watcher = await prepareWatch(values, positionals, io, config);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const store = await openStore(dbPath, io.now, { bulk: true });
    const metrics = createPipelineMetrics({ version: trailwatchVersion() });
    let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
    try {
      if (watcher.metricsAt) metricsServer = await serveWatchMetrics(watcher.metricsAt, store, metrics, io);
      const retention = periodicRetention(store, watcher.retainMs, metrics, io);
      await watcher.run(
        store,
        dbPath,
        abort.signal,
        metrics,
        async () => void (await retention?.run()),
        plan.slice,
      );
    } finally {
      await metricsServer?.close();
      await store.close();
    }
    io.err('stopped; everything read so far is stored\n');
    return EXIT.ok;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await watcher.close();
  }
}

interface MetricsAddress {
  host: string;
  port: number;
  token: string | undefined;
}

/** `--metrics-port` turns the endpoint on; a non-loopback `--metrics-host` needs a token. */
function metricsAddress(values: WatchValues, env: Record<string, string | undefined>): MetricsAddress | null {
  const port = values['metrics-port'];
  if (port === undefined) {
    if (values['metrics-host'] !== undefined)
      throw new UsageError('--metrics-host needs --metrics-port, e.g. --metrics-port 9464');
    return null;
  }
  const n = Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--metrics-port ${port}: expected a port number, e.g. --metrics-port 9464`);
  const host = values['metrics-host'] ?? '127.0.0.1';
  const token = values['metrics-token'] ?? env.TRAILWATCH_TOKEN;
  if (!token && !['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new UsageError(
      `metrics on ${host} need a token: --metrics-token T or TRAILWATCH_TOKEN (scrape with Authorization: Bearer T)`,
    );
  return { host, port: n, token: token || undefined };
}

async function serveWatchMetrics(at: MetricsAddress, store: Store, metrics: PipelineMetrics, io: Io) {
  try {
    const server = await startMetricsServer({
      ...at,
      render: () => renderMetrics(store, metrics, io.now()),
      logError: (err) => io.err(`metrics: internal error: ${(err as Error).stack ?? String(err)}\n`),
    });
    io.err(`metrics at ${server.url}\n`);
    return server;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`--metrics-port ${at.port} is in use; choose another`);
    throw err;
  }
}
