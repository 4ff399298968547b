// `trailwatch alerts`: stored alerts, filtered, as a table, JSON lines or CSV.
import { loadConfig } from '../config/load.js';
import { loadRuleSet, openStore, resolveDbPath } from '../app.js';
import { ALERT_STATUSES } from '../domain/alert.js';
import { SEVERITIES } from '../domain/rule.js';
import { alertToOcsf } from '../export/ocsf-alert.js';
import { alertToJson, listAlerts, type AlertView } from '../pipeline/alerts-view.js';
import type { AlertQuery, Store } from '../storage/port.js';
import { list, oneOf, parse, positiveInt, ruleTargets, STORE_OPTIONS, time } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { csvLine, isoTime, table } from './format.js';
import type { Io } from './io.js';
import { runTriage, TRIAGE_ACTIONS, type TriageAction } from './triage.js';

export const ALERTS_HELP = `Usage: trailwatch alerts [options]
       trailwatch alerts ack|reopen ID [--comment TEXT] [--by NAME]
       trailwatch alerts resolve ID --reason true-positive|benign|false-positive|testing|duplicate|other [--comment TEXT]
       trailwatch alerts assign ID --to NAME
       trailwatch alerts comment ID --comment TEXT
       trailwatch alerts show ID        (the alert and its history)

Listing options:
  --min-severity LEVEL   info, low, medium, high or critical
  --rule ID              only these rules (repeat or comma-separate)
  --status STATE         open, acknowledged, resolved, suppressed (default: all but suppressed)
  --account ID           only alerts in these accounts
  --origin NAME|ID       only alerts whose identity resolves to this origin
  --since T, --until T   2h, 7d, 2024-05-01, ISO time
  --limit N              at most N alerts (default 100), most recent first
  --format table|jsonl|csv|ocsf   (ocsf: one OCSF 1.1 Detection Finding, class 2004, per line)
  --rules DIR            rule files for metadata (default: the configuration's rules:, else the
                         built-in pack)
  --db PATH|ADDRESS      store file, or clickhouse://host:8123/db (default $TRAILWATCH_DB or
                         ./trailwatch.duckdb)
`;

export const ALERT_FILTER_OPTIONS = {
  'min-severity': { type: 'string' },
  rule: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  account: { type: 'string', multiple: true },
  origin: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  rules: { type: 'string', multiple: true },
} as const;

const OPTIONS = {
  ...STORE_OPTIONS,
  ...ALERT_FILTER_OPTIONS,
  reason: { type: 'string' },
  comment: { type: 'string' },
  to: { type: 'string' },
  by: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type FilterValues = {
  [K in keyof typeof ALERT_FILTER_OPTIONS]?: (typeof ALERT_FILTER_OPTIONS)[K]['type'] extends 'string'
    ? string | string[]
    : never;
};

export function alertQueryOf(v: FilterValues, now: number): AlertQuery {
  const q: AlertQuery = { limit: positiveInt(v.limit as string | undefined, '--limit') ?? 100 };
  const min = oneOf(v['min-severity'] as string | undefined, '--min-severity', SEVERITIES);
  if (min) q.minSeverity = min;
  const rules = list(v.rule);
  if (rules) q.ruleIds = rules;
  const statuses = list(v.status);
  q.statuses = statuses ?? ['open', 'acknowledged', 'resolved'];
  for (const st of q.statuses) oneOf(st, '--status', ALERT_STATUSES);
  const accounts = list(v.account);
  if (accounts) q.accounts = accounts;
  const origins = list(v.origin);
  if (origins) q.origins = origins;
  const since = time(v.since as string | undefined, '--since', now);
  if (since !== undefined) q.since = since;
  const until = time(v.until as string | undefined, '--until', now);
  if (until !== undefined) q.until = until;
  return q;
}

const CSV_HEADER = [
  'id',
  'severity',
  'status',
  'ruleId',
  'title',
  'firstSeen',
  'lastSeen',
  'count',
  'origin',
  'account',
  'region',
  'sourceIp',
];

export function printAlerts(
  alerts: readonly AlertView[],
  format: 'table' | 'jsonl' | 'csv' | 'ocsf',
  io: Io,
): void {
  if (format === 'jsonl') for (const a of alerts) io.out(JSON.stringify(alertToJson(a)) + '\n');
  else if (format === 'ocsf') for (const a of alerts) io.out(JSON.stringify(alertToOcsf(a)) + '\n');
  else if (format === 'csv') {
    io.out(csvLine(CSV_HEADER) + '\n');
    for (const a of alerts)
      io.out(
        csvLine([
          a.id,
          a.severity,
          a.status,
          a.ruleId,
          a.title,
          isoTime(a.firstSeen),
          isoTime(a.lastSeen),
          a.count,
          a.origin.name,
          a.account,
          a.region,
          a.sourceIp,
        ]) + '\n',
      );
  } else {
    io.out(
      table(alerts, [
        { title: 'ID', width: 10, value: (a) => a.id.slice(0, 10) },
        { title: 'SEVERITY', width: 8, value: (a) => a.severity },
        { title: 'STATUS', width: 12, value: (a) => a.status },
        { title: 'LAST SEEN', width: 20, value: (a) => isoTime(a.lastSeen) },
        { title: 'COUNT', width: 5, value: (a) => String(a.count) },
        { title: 'ORIGIN', width: 24, value: (a) => a.origin.name },
        { title: 'ACCOUNT', width: 12, value: (a) => a.account },
        { title: 'RULE', width: 40, value: (a) => a.ruleId },
        { title: 'TITLE', width: 80, value: (a) => a.title },
      ]) + '\n',
    );
  }
}

/** Prints the alerts the filters select, with their rules' metadata from `targets` (see ruleTargets). */
export async function queryAndPrint(
  store: Store,
  v: FilterValues,
  io: Io,
  cwd: string,
  targets: string[] | undefined = list(v.rules),
): Promise<number> {
  const format =
    oneOf(v.format as string | undefined, '--format', ['table', 'jsonl', 'csv', 'ocsf'] as const) ?? 'table';
  const query = alertQueryOf(v, io.now());
  const { rules } = await loadRuleSet(targets, cwd, { includeDisabled: true });
  const alerts = await listAlerts(store, rules, query);
  printAlerts(alerts, format, io);
  if (format === 'table') io.err(`${alerts.length} alert${alerts.length === 1 ? '' : 's'}\n`);
  return alerts.length;
}

export async function runAlerts(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(ALERTS_HELP);
    return EXIT.ok;
  }
  const [action, id, ...extra] = positionals;
  if (action !== undefined && !TRIAGE_ACTIONS.includes(action as TriageAction))
    throw new UsageError(
      `unknown alerts action '${action}' (expected ${TRIAGE_ACTIONS.join(', ')})\n\n${ALERTS_HELP}`,
    );
  if (action !== undefined && (!id || extra.length))
    throw new UsageError(`alerts ${action} needs one alert id, e.g. trailwatch alerts ${action} 38f0d72c`);
  const config = loadConfig(values.config, io.env, io.cwd);
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  try {
    if (action && id) return await runTriage(store, action as TriageAction, id, values, io);
    await queryAndPrint(store, values, io, io.cwd, ruleTargets(values.rules, config));
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
