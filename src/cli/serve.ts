// `trailwatch serve`: the HTTP JSON API and web UI over the store, until interrupted.
import { loadConfig } from '../config/load.js';
import { openStore, resolveDbPath, trailwatchVersion } from '../app.js';
import { createPipelineMetrics } from '../pipeline/metrics.js';
import { PRUNE_EVERY_MS } from '../pipeline/retention.js';
import { ServerConfigError, startServer } from '../server/index.js';
import { parse, positiveInt, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { loadDetection } from './ingest.js';
import type { Io } from './io.js';
import { periodicRetention, RETAIN_HELP, retainOf } from './prune.js';

export const SERVE_HELP = `Usage: trailwatch serve [--db PATH] [--host H] [--port P] [--token T] [--config PATH] [--retain D]

Serves a JSON API under /api (described at /api/openapi.json), a web UI at / and Prometheus
metrics at /metrics (same token rules as the API) over the store.
  --host H     address to listen on (default 127.0.0.1); any other address needs --token
  --port P     port (default 8080)
  --token T    require Authorization: Bearer T on every API request (default $TRAILWATCH_TOKEN);
               open the UI as http://HOST:PORT/#token=T
${RETAIN_HELP}
                         (pruned at start, then hourly)
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  retain: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runServe(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(SERVE_HELP);
    return EXIT.ok;
  }
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
  const rules = await loadDetection(undefined, io);
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  const metrics = createPipelineMetrics({ version: trailwatchVersion() });
  let server;
  try {
    server = await startServer({ store, rules, host, port, token, now: io.now, metrics });
  } catch (err) {
    await store.close();
    if (err instanceof ServerConfigError) throw new UsageError(err.message);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`port ${port} is in use; choose another with --port`);
    throw err;
  }
  io.err(`trailwatch serve: listening on ${server.url}/ (Ctrl-C stops)\n`);
  const retention = periodicRetention(store, retainMs, metrics, io);
  const prune = (): void =>
    void retention?.run().catch((err: unknown) => io.err(`retention failed: ${(err as Error).message}\n`));
  prune();
  const timer = retention ? setInterval(prune, PRUNE_EVERY_MS) : null;
  timer?.unref();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (timer) clearInterval(timer);
  await server.close();
  await store.close();
  return EXIT.ok;
}
