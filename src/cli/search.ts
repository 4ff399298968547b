// `trailwatch search`: CloudTrail event history's lookups and more, combined, newest first.
import { loadConfig } from '../config/load.js';
import { openStore, resolveDbPath } from '../app.js';
import { eventToJson } from '../domain/event-json.js';
import { eventToOcsf } from '../export/ocsf-event.js';
import { attachIdentity } from '../pipeline/identity.js';
import { attachRaw } from '../pipeline/raw.js';
import type { EventQuery } from '../storage/port.js';
import { configuredPolicy, list, oneOf, parse, positiveInt, STORE_OPTIONS, time } from './args.js';
import { EXIT } from './errors.js';
import { CSV_HEADER, EVENT_COLUMNS, csvLine, eventCsvRow, table } from './format.js';
import type { Io } from './io.js';

export const SEARCH_HELP = `Usage: trailwatch search [options]

Filters (repeat a flag or separate values with commas for "any of"; different flags combine):
  --event-id ID          --event-name NAME       --event-source SRC (e.g. iam.amazonaws.com)
  --user NAME            user name, role session name or role name
  --access-key-id KEY    --resource-type TYPE    --resource-name NAME|ARN
  --read-only true|false --account ID            --region REGION
  --source-ip IP         --error-code CODE       --outcome success|failure
  --identity-type TYPE   (IAMUser, AssumedRole, Root, AWSService, …)
  --event-category C     Management, Data, Insight (CloudTrail Insights), NetworkActivity
  --origin NAME|ARN      the identity really behind it: its own events and every role session it led to
  --session-name-policy caller|email|pattern:<regex>   how AssumeRole session names are checked (default caller)
  --since T, --until T   2h, 30m, 7d, 2024-05-01, 2024-05-01T12:00:00Z
  --text TEXT            case-insensitive text anywhere in the record
  --limit N              at most N events (default 100)
  --format table|jsonl|csv|ocsf   (jsonl: one normalized event per line, raw record under "raw";
                         ocsf: one OCSF 1.1 object per line — API Activity 6003, Authentication 3002,
                         Account Change 3001)
  --db PATH|ADDRESS      store file, or clickhouse://host:8123/db (default $TRAILWATCH_DB or
                         ./trailwatch.duckdb)
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  'event-id': { type: 'string', multiple: true },
  'event-name': { type: 'string', multiple: true },
  'event-source': { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  'access-key-id': { type: 'string', multiple: true },
  'resource-type': { type: 'string', multiple: true },
  'resource-name': { type: 'string', multiple: true },
  'read-only': { type: 'string' },
  account: { type: 'string', multiple: true },
  region: { type: 'string', multiple: true },
  'source-ip': { type: 'string', multiple: true },
  'error-code': { type: 'string', multiple: true },
  outcome: { type: 'string' },
  'identity-type': { type: 'string', multiple: true },
  'event-category': { type: 'string', multiple: true },
  origin: { type: 'string', multiple: true },
  'session-name-policy': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  text: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

function queryOf(v: Values, now: number): EventQuery {
  const q: EventQuery = {};
  const lists: [keyof EventQuery, unknown][] = [
    ['eventIds', v['event-id']],
    ['eventNames', v['event-name']],
    ['eventSources', v['event-source']],
    ['userNames', v.user],
    ['accessKeyIds', v['access-key-id']],
    ['resourceTypes', v['resource-type']],
    ['resourceNames', v['resource-name']],
    ['accounts', v.account],
    ['regions', v.region],
    ['sourceIps', v['source-ip']],
    ['errorCodes', v['error-code']],
    ['identityTypes', v['identity-type']],
    ['eventCategories', v['event-category']],
    ['origins', v.origin],
  ];
  for (const [key, value] of lists) {
    const values = list(value);
    if (values) (q as Record<string, unknown>)[key] = values;
  }
  const readOnly = oneOf(v['read-only'], '--read-only', ['true', 'false'] as const);
  if (readOnly) q.readOnly = readOnly === 'true';
  const outcome = oneOf(v.outcome, '--outcome', ['success', 'failure'] as const);
  if (outcome) q.outcome = outcome;
  const since = time(v.since, '--since', now);
  if (since !== undefined) q.since = since;
  const until = time(v.until, '--until', now);
  if (until !== undefined) q.until = until;
  if (v.text) q.text = v.text;
  q.limit = positiveInt(v.limit, '--limit') ?? 100;
  return q;
}

export async function runSearch(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(SEARCH_HELP);
    return EXIT.ok;
  }
  const format = oneOf(values.format, '--format', ['table', 'jsonl', 'csv', 'ocsf'] as const) ?? 'table';
  const query = queryOf(values, io.now());
  const config = loadConfig(values.config, io.env, io.cwd);
  const policy = configuredPolicy(values['session-name-policy'], config);
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  try {
    const found = await attachIdentity(store, await store.searchEvents(query), policy);
    if (format === 'jsonl' || format === 'ocsf') {
      const toJson = format === 'jsonl' ? eventToJson : eventToOcsf;
      for (const e of await attachRaw(store, found)) io.out(JSON.stringify(toJson(e)) + '\n');
    } else if (format === 'csv') {
      io.out(csvLine(CSV_HEADER) + '\n');
      for (const e of found) io.out(eventCsvRow(e) + '\n');
    } else {
      // Insights events show what they report, which only their raw record holds.
      const rows = found.some((e) => e.eventCategory === 'Insight') ? await attachRaw(store, found) : found;
      io.out(table(rows, EVENT_COLUMNS) + '\n');
      io.err(
        `${found.length} event${found.length === 1 ? '' : 's'}${found.length === query.limit ? ' (limit reached; use --limit)' : ''}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
