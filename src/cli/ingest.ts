// `trailwatch ingest <source…>`: stores CloudTrail logs from files, directories, globs, stdin or S3.
import { loadConfig } from '../config/load.js';
import {
  closeSinks,
  createSinks,
  createSources,
  loadRuleSet,
  mergeLists,
  openStore,
  resolveDbPath,
} from '../app.js';
import { dispatchDue } from '../pipeline/dispatch.js';
import type { CompiledRule } from '../domain/rule.js';
import { combineSummaries, ingest, quarantinedTotal, type IngestSummary } from '../pipeline/ingest.js';
import { applyRetention, describeRetention } from '../pipeline/retention.js';
import type { Store } from '../storage/port.js';
import {
  configuredPolicy,
  list,
  namedLists,
  oneOf,
  parse,
  positiveInt,
  ruleTargets,
  STORE_OPTIONS,
  time,
} from './args.js';
import { EXIT, UsageError } from './errors.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { RETAIN_HELP, RETAIN_OPTION, retainOf } from './prune.js';
import { runChildren, WORKER_OPTIONS, WORKERS_HELP, workerPlan } from './workers.js';

export const INGEST_HELP = `Usage: trailwatch ingest <source…> [options]

Sources: files, directories (recursive), glob patterns ('logs/**/*.json.gz'), - for stdin,
s3://bucket[/prefix] (CloudTrail key layout aware, pruned by the filters below), and
cloudtrail://REGION[?since=T&until=T&window=1h&category=insight] (the account's 90-day event
history through LookupEvents; category=insight reads its Insights events).

Options:
  --db PATH|ADDRESS      store file, or clickhouse://host:8123/db (default $TRAILWATCH_DB or
                         ./trailwatch.duckdb)
  --since T, --until T   only log files delivered for this time range (2h, 7d, 2024-05-01, ISO time)
  --accounts ID,…        only these accounts (CloudTrail key layout)
  --regions R,…          only these regions (CloudTrail key layout)
  --profile P, --region R, --endpoint-url URL   AWS access for s3:// and cloudtrail:// sources
  --concurrency N        objects read in parallel (default 8)
  --batch-size N         events per store transaction (default 20000)
  --rules DIR            rule files or directories to evaluate (default: the built-in pack;
                         'builtin' names it next to your own); --no-rules stores without detecting
  --list NAME=V1,V2      add values to a rule list (allow-lists, admin policies…)
  --session-name-policy caller|email|pattern:<regex>
  --report               list every quarantined record and file with its reason
  --format text|json     summary format (default text)
${RETAIN_HELP}
                         (applied after the ingest, to what was just read too)
${WORKERS_HELP}
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  ...WORKER_OPTIONS,
  since: { type: 'string' },
  until: { type: 'string' },
  accounts: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  concurrency: { type: 'string' },
  'batch-size': { type: 'string' },
  report: { type: 'boolean' },
  rules: { type: 'string', multiple: true },
  list: { type: 'string', multiple: true },
  'no-rules': { type: 'boolean' },
  'session-name-policy': { type: 'string' },
  format: { type: 'string' },
  ...RETAIN_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

/** The enabled rules; problems in rule files are printed and those files skipped. */
export async function loadDetection(
  targets: string[] | undefined,
  io: Io,
  extraLists: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<CompiledRule[]> {
  const set = await loadRuleSet(targets, io.cwd, { extraLists });
  for (const i of set.issues.filter((x) => x.severity === 'error'))
    io.err(`rules: ${i.file}${i.line === null ? '' : `:${i.line}`}: ${i.message} (rule skipped)\n`);
  return set.rules;
}

export function exitStatusOf(summary: IngestSummary): number {
  if (summary.readErrors.length) return EXIT.readErrors;
  if (quarantinedTotal(summary) > 0) return EXIT.quarantined;
  return EXIT.ok;
}

export function formatSummary(s: IngestSummary): string {
  const lines = [
    `objects: ${s.objectsListed} listed, ${s.objectsSkipped} already stored, ${s.objectsRead} read` +
      (s.digests ? `, ${s.digests} digest files set aside` : '') +
      (s.readErrors.length ? `, ${s.readErrors.length} unreadable` : ''),
    `records: ${s.recordsSeen} seen, ${s.eventsStored} events stored, ${s.duplicates} duplicates skipped`,
    `detection: ${s.matches} rule matches, ${s.alerts} alerts written or updated` +
      (s.rematched ? `, ${s.rematched} stored events matched again (their issuing call arrived later)` : ''),
  ];
  const q = Object.entries(s.quarantined);
  lines.push(
    q.length
      ? `quarantined: ${quarantinedTotal(s)} (${q.map(([reason, n]) => `${reason} ${n}`).join(', ')})`
      : 'quarantined: 0',
  );
  for (const e of s.readErrors.slice(0, 20)) lines.push(`  unreadable ${e.uri}: ${e.message}`);
  if (s.isAborted) lines.push('stopped early: what was stored is checkpointed; run again to continue');
  return lines.join('\n') + '\n';
}

async function printReport(store: Store, io: Io): Promise<void> {
  const entries = await store.quarantine(10_000);
  if (!entries.length) return;
  io.out('\nquarantine (newest objects first):\n');
  for (const q of entries) {
    const where = q.index === null ? q.uri : `${q.uri} record ${q.index}`;
    io.out(`  ${q.reason.padEnd(18)} ${where}: ${q.detail}\n`);
  }
}

/** `--workers N`: N children of this command, each with its slice; their summaries added up. */
async function ingestWithChildren(argv: string[], count: number, format: string, io: Io): Promise<number> {
  const results = await runChildren('ingest', [...argv, '--format', 'json'], count, io);
  const failed = results.find((r) => r.code > EXIT.quarantined && r.code !== EXIT.readErrors);
  if (failed) return failed.code;
  const summary = combineSummaries(results.map((r) => JSON.parse(r.out) as IngestSummary));
  io.out(format === 'json' ? JSON.stringify(summary) + '\n' : formatSummary(summary));
  return exitStatusOf(summary);
}

export async function runIngest(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(INGEST_HELP);
    return EXIT.ok;
  }
  if (!positionals.length)
    throw new UsageError(`ingest needs at least one source, e.g. trailwatch ingest ./logs\n\n${INGEST_HELP}`);
  const format = oneOf(values.format, '--format', ['text', 'json'] as const) ?? 'text';
  const now = io.now();
  const filter = {
    ...(values.since !== undefined && { since: time(values.since, '--since', now) as number }),
    ...(values.until !== undefined && { until: time(values.until, '--until', now) as number }),
    ...(values.accounts && { accounts: list(values.accounts) ?? [] }),
    ...(values.regions && { regions: list(values.regions) ?? [] }),
  };
  const aws = {
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values.region !== undefined && { region: values.region }),
    ...(values['endpoint-url'] !== undefined && { endpointUrl: values['endpoint-url'] }),
  };
  const sources = createSources(positionals, { filter, aws, stdin: io.stdin, now: io.now });
  const config = loadConfig(values.config, io.env, io.cwd);
  const retainMs = retainOf(values.retain, config);
  const policy = configuredPolicy(values['session-name-policy'], config);
  const lists = mergeLists(config.lists, namedLists(values.list));
  const notify = { routes: config.routes, uiBaseUrl: config.uiBaseUrl };
  const detection = values['no-rules']
    ? undefined
    : {
        rules: await loadDetection(ruleTargets(values.rules, config), io, lists),
        policy,
        now: io.now,
        notify,
      };
  const target = resolveDbPath(values.db, io.env, io.cwd, config);
  const plan = workerPlan(values, target);
  const store = await openStore(target, io.now, { bulk: true });
  if (plan.children) {
    // Opened once here so that the children do not race to create the schema.
    await store.close();
    return ingestWithChildren(argv, plan.children, format, io);
  }
  const sinks = createSinks(config, io);
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  try {
    const progress = progressReporter(io);
    const summary = await ingest(store, sources, {
      concurrency: positiveInt(values.concurrency, '--concurrency') ?? 8,
      batchEvents: positiveInt(values['batch-size'], '--batch-size') ?? 20_000,
      onProgress: progress.update,
      signal: abort.signal,
      ...(plan.slice ? { worker: plan.slice, hasOtherWriters: true } : {}),
      ...(detection ? { detection } : {}),
      // Notifications go out as alerts are written; failures wait in the outbox for the next run.
      ...(sinks.size
        ? { afterBatch: async () => void (await dispatchDue(store, sinks, config.retry, io.now)) }
        : {}),
    });
    progress.done();
    // Pruned after the ingest, so nothing older than the cutoff survives the run, even if just read.
    const retention = retainMs === null ? null : await applyRetention(store, { retainMs, now: io.now });
    if (format === 'json') io.out(JSON.stringify(retention ? { ...summary, retention } : summary) + '\n');
    else io.out(formatSummary(summary) + (retention ? describeRetention(retention) + '\n' : ''));
    if (values.report) await printReport(store, io);
    else if (quarantinedTotal(summary) > 0 && format === 'text')
      io.out('(run with --report to see every quarantined record with its reason)\n');
    return exitStatusOf(summary);
  } finally {
    process.removeListener('SIGINT', stop);
    await closeSinks(sinks);
    await store.close();
  }
}
