// `trailwatch serve`: the HTTP JSON API and web UI over the store, until interrupted.
import { loadConfig } from '../config/load.js';
import { openStore, resolveDbPath, trailwatchVersion } from '../app.js';
import { evaluatePending } from '../pipeline/evaluate.js';
import { createPipelineMetrics, type PipelineMetrics } from '../pipeline/metrics.js';
import { PRUNE_EVERY_MS } from '../pipeline/retention.js';
import { ServerConfigError, startServer } from '../server/index.js';
import type { Store } from '../storage/port.js';
import { configuredPolicy, parse, positiveInt, ruleTargets, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { loadDetection } from './ingest.js';
import type { Io } from './io.js';
import { periodicRetention, RETAIN_HELP, RETAIN_OPTION, retainOf } from './prune.js';
import { prepareWatch, WATCH_OPTIONS, type PreparedWatch } from './watch.js';

export const SERVE_HELP = `Usage: trailwatch serve [--db PATH] [--host H] [--port P] [--token T] [--config PATH] [--retain D]
       trailwatch serve --watch <source…> [watch options]
       trailwatch serve --watch --sqs QUEUE_URL [watch options]

Serves a JSON API under /api (described at /api/openapi.json), a web UI at / and Prometheus
metrics at /metrics (same token rules as the API) over the store.
  --host H     address to listen on (default 127.0.0.1); any other address needs --token
  --port P     port (default 8080)
  --token T    require Authorization: Bearer T on every API request (default $TRAILWATCH_TOKEN);
               open the UI as http://HOST:PORT/#token=T
${RETAIN_HELP}
                         (pruned at start, then hourly)
  --watch      also run the watcher in this process, over the same store: the sources (s3://…,
               cloudtrail://REGION, directories) or --sqs QUEUE_URL, with the options of
               trailwatch watch (--interval, --lookback, --rules, …; see trailwatch watch --help).
               SIGINT or SIGTERM finishes the watcher's batch, then stops both. Its counters
               appear in this server's /metrics.
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  ...RETAIN_OPTION,
  watch: { type: 'boolean' },
  ...WATCH_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

/** A task that runs once at a time: a call waits for the run before it. */
function oneAtATime(task: () => Promise<unknown>): () => Promise<void> {
  let tail: Promise<unknown> = Promise.resolve();
  return () => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run.then(() => undefined);
  };
}

export async function runServe(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(SERVE_HELP);
    return EXIT.ok;
  }
  const watchOnly = Object.keys(WATCH_OPTIONS).find((name) => name in values);
  if (!values.watch && watchOnly)
    throw new UsageError(
      `--${watchOnly} is a watch option: add --watch, e.g. trailwatch serve --watch ./logs`,
    );
  if (!values.watch && positionals.length)
    throw new UsageError(
      `serve takes sources only with --watch, e.g. trailwatch serve --watch ${positionals[0]}`,
    );
  if (values.watch && !positionals.length && !values.sqs)
    throw new UsageError(
      'serve --watch needs a source or --sqs QUEUE_URL, e.g. trailwatch serve --watch ./logs',
    );
  const port = positiveInt(values.port, '--port') ?? 8080;
  const token = values.token ?? io.env.TRAILWATCH_TOKEN;
  const host = values.host ?? '127.0.0.1';
  // Refuse before anything is opened or created: a server on a reachable address needs a token.
  if (!token && !['127.0.0.1', 'localhost', '::1'].includes(host))
    throw new UsageError(
      `listening on ${host} needs an access token: --token T or TRAILWATCH_TOKEN (the UI then opens at /#token=T)`,
    );
  const config = loadConfig(values.config, io.env, io.cwd);
  const retainMs = retainOf(values.retain, config);
  const watcher = values.watch ? await prepareWatch(values, positionals, io, config) : null;
  const rules = watcher?.rules ?? (await loadDetection(ruleTargets(undefined, config), io, config.lists));
  // The events' session-name checks are shown under the policy ingest uses.
  const policy = configuredPolicy(values['session-name-policy'], config);
  const dbPath = resolveDbPath(values.db, io.env, io.cwd, config);
  try {
    // DuckDB admits one writer per file: the server and the watcher share this one store.
    const store = await openStore(dbPath, io.now);
    try {
      const metrics = createPipelineMetrics({ version: trailwatchVersion() });
      let server;
      try {
        server = await startServer({
          store,
          rules,
          host,
          port,
          token,
          now: io.now,
          metrics,
          policy,
          // Alone, the server decides the alerts a new suppression covers at once, one evaluation
          // at a time. Beside a watcher it leaves that to the watcher's next evaluation: two
          // evaluations at once on one DuckDB store could lose a key the watcher's batch made pending.
          ...(watcher
            ? {}
            : { applySuppressions: oneAtATime(() => evaluatePending(store, rules, io.now())) }),
        });
      } catch (err) {
        if (err instanceof ServerConfigError) throw new UsageError(err.message);
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UsageError(`port ${port} is in use; choose another with --port`);
        throw err;
      }
      io.err(`trailwatch serve: listening on ${server.url}/ (Ctrl-C stops)\n`);
      // Retention runs on its own timer here (the watcher's turn is a no-op), whether or not it watches.
      const retention = periodicRetention(store, retainMs, metrics, io);
      const prune = (): void =>
        void retention
          ?.run()
          .catch((err: unknown) => io.err(`retention failed: ${(err as Error).message}\n`));
      prune();
      const timer = retention ? setInterval(prune, PRUNE_EVERY_MS) : null;
      timer?.unref();
      try {
        await untilStopped(watcher, store, dbPath, metrics);
      } finally {
        if (timer) clearInterval(timer);
        await server.close();
      }
      if (watcher) io.err('stopped; everything read so far is stored\n');
    } finally {
      await store.close();
    }
    return EXIT.ok;
  } finally {
    await watcher?.close();
  }
}

/** Until SIGINT or SIGTERM; with a watcher, until it has finished its batch after one (or failed). */
async function untilStopped(
  watcher: PreparedWatch | null,
  store: Store,
  dbPath: string,
  metrics: PipelineMetrics,
): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (watcher) await watcher.run(store, dbPath, abort.signal, metrics, () => Promise.resolve());
    else await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve()));
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
