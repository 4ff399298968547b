// `trailwatch watch <source…>`: a long-running collector — polls, stores, detects, notifies; stops cleanly on SIGINT/SIGTERM.
import { closeSinks, createSinks, createSources, mergeLists, openStore, resolveDbPath } from '../app.js';
import { loadConfig } from '../config/load.js';
import { dispatchDue } from '../pipeline/dispatch.js';
import { quarantinedTotal } from '../pipeline/ingest.js';
import { watch } from '../pipeline/watch.js';
import { parseDuration } from '../rules/duration.js';
import { list, namedLists, parse, sessionNamePolicy, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { loadDetection } from './ingest.js';
import type { Io } from './io.js';

export const WATCH_HELP = `Usage: trailwatch watch <source…> [options]

Polls the sources (s3://bucket[/prefix] or local directories), stores every new object, evaluates
the rules and dispatches notifications, every --interval, until SIGINT or SIGTERM; the batch in
progress is finished, so a restart continues where it stopped.

  --interval D           time between polls (default 60s)
  --lookback D           for S3: list the delivery days of this period before now (default 2d),
                         so new days, accounts and regions appear by themselves
  --accounts ID,…  --regions R,…
  --profile P, --region R, --endpoint-url URL
  --rules DIR, --list NAME=V,…, --session-name-policy P, --config PATH, --db PATH
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  interval: { type: 'string' },
  lookback: { type: 'string' },
  accounts: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  rules: { type: 'string', multiple: true },
  list: { type: 'string', multiple: true },
  'session-name-policy': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function duration(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0)
    throw new UsageError(`${flag} ${value}: expected a duration such as 30s, 5m or 2d`);
  return ms;
}

export async function runWatch(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(WATCH_HELP);
    return EXIT.ok;
  }
  if (!positionals.length)
    throw new UsageError(
      `watch needs at least one source, e.g. trailwatch watch s3://org-trail\n\n${WATCH_HELP}`,
    );
  const intervalMs = duration(values.interval, '--interval', 60_000);
  const lookbackMs = duration(values.lookback, '--lookback', 2 * 86_400_000);
  const config = loadConfig(values.config, io.env, io.cwd);
  const aws = {
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values.region !== undefined && { region: values.region }),
    ...(values['endpoint-url'] !== undefined && { endpointUrl: values['endpoint-url'] }),
  };
  const accounts = list(values.accounts);
  const regions = list(values.regions);
  const rules = await loadDetection(
    list(values.rules) ?? config.rules ?? undefined,
    io,
    mergeLists(config.lists, namedLists(values.list)),
  );
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  const sinks = createSinks(config, io);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    io.err(
      `watching ${positionals.join(', ')} every ${intervalMs / 1000}s with ${rules.length} rules (Ctrl-C stops)\n`,
    );
    await watch(
      store,
      () =>
        createSources(positionals, {
          filter: {
            since: io.now() - lookbackMs,
            ...(accounts ? { accounts } : {}),
            ...(regions ? { regions } : {}),
          },
          aws,
          stdin: io.stdin,
        }),
      {
        intervalMs,
        signal: abort.signal,
        detection: {
          rules,
          policy: sessionNamePolicy(values['session-name-policy'] ?? config.sessionNamePolicy ?? undefined),
          now: io.now,
          notify: { routes: config.routes, uiBaseUrl: config.uiBaseUrl },
        },
        ...(sinks.size
          ? { afterBatch: async () => void (await dispatchDue(store, sinks, config.retry, io.now)) }
          : {}),
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
    io.err('stopped; everything read so far is stored\n');
    return EXIT.ok;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await closeSinks(sinks);
    await store.close();
  }
}
