// `trailwatch hunt <source…>`: the incident responder's one command — ingest into a throwaway store, print the alerts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSources, openStore } from '../app.js';
import { ingest } from '../pipeline/ingest.js';
import { list, namedLists, parse, sessionNamePolicy } from './args.js';
import { ALERT_FILTER_OPTIONS, queryAndPrint } from './alerts.js';
import { EXIT, UsageError } from './errors.js';
import { formatSummary, loadDetection } from './ingest.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';

export const HUNT_HELP = `Usage: trailwatch hunt <source…> [options]

Runs the whole pipeline (decode, attribute, detect) over the sources into a temporary store and
prints the alerts. Sources as for ingest: files, directories, globs, - and s3://bucket/prefix.

  --rules DIR            rules to run (default: the built-in pack; 'builtin' adds it to yours)
  --min-severity LEVEL   only alerts at least this severe
  --format table|jsonl|csv
  --list NAME=V1,V2      add values to a rule list (allow-lists, admin policies…)
  --keep PATH            keep the store at PATH (to search it afterwards) instead of deleting it
  --profile P, --region R, --endpoint-url URL   AWS access for s3:// sources
  --session-name-policy caller|email|pattern:<regex>
Exit status: 0 no alert; 1 alerts were raised; 2 usage error; 3 some sources could not be read.
`;

const OPTIONS = {
  ...ALERT_FILTER_OPTIONS,
  keep: { type: 'string' },
  list: { type: 'string', multiple: true },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'session-name-policy': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runHunt(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(HUNT_HELP);
    return EXIT.ok;
  }
  if (!positionals.length)
    throw new UsageError(
      `hunt needs at least one source, e.g. trailwatch hunt ./incident-logs\n\n${HUNT_HELP}`,
    );
  const aws = {
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values.region !== undefined && { region: values.region }),
    ...(values['endpoint-url'] !== undefined && { endpointUrl: values['endpoint-url'] }),
  };
  const sources = createSources(positionals, { filter: {}, aws, stdin: io.stdin, now: io.now });
  const rules = await loadDetection(list(values.rules), io, namedLists(values.list));
  const tmp = values.keep ? null : mkdtempSync(path.join(tmpdir(), 'trailwatch-hunt-'));
  const dbPath = values.keep ? path.resolve(io.cwd, values.keep) : path.join(tmp ?? '', 'hunt.duckdb');
  // A store deleted afterwards is never searched: no search columns; a kept one has them, and
  // fills its free-text index when it is next opened.
  const store = await openStore(dbPath, io.now, {
    bulk: true,
    textIndex: false,
    searchable: Boolean(values.keep),
  });
  try {
    const progress = progressReporter(io);
    const summary = await ingest(store, sources, {
      onProgress: progress.update,
      detection: { rules, policy: sessionNamePolicy(values['session-name-policy']), now: io.now },
    });
    progress.done();
    io.err(formatSummary(summary));
    const { limit, list: _lists, ...filters } = values;
    const shown = await queryAndPrint(store, { ...filters, limit: limit ?? '100000' }, io, io.cwd);
    if (values.keep) io.err(`store kept at ${dbPath}: trailwatch search --db ${values.keep} …\n`);
    if (summary.readErrors.length) return EXIT.readErrors;
    return shown ? EXIT.quarantined : EXIT.ok;
  } finally {
    await store.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
