// `trailwatch demo` (and `npm start`): generates a demo organisation's trail, ingests it, says what is in it.
import { loadConfig } from '../config/load.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createSources, openStore, resolveDbPath } from '../app.js';
import { generateDemoTrail } from '../demo/generate.js';
import { writeDemoTrail } from '../demo/write.js';
import { ingest } from '../pipeline/ingest.js';
import { parse, STORE_OPTIONS } from './args.js';
import { EXIT } from './errors.js';
import { formatSummary, loadDetection } from './ingest.js';
import type { Io } from './io.js';
import { progressReporter } from './progress.js';
import { runServe } from './serve.js';

export const DEMO_HELP = `Usage: trailwatch demo [--dir DIR] [--db PATH] [--port P] [--no-serve]

Writes a demo organisation trail (3 accounts, 3 regions, 3 days of activity ending now, with an
attack story in it) as CloudTrail S3 files under DIR (default ./demo-data, kept between runs),
ingests it into the store (default $TRAILWATCH_DB or ./trailwatch.duckdb), and serves the web UI
on http://127.0.0.1:8080/ until Ctrl-C (--no-serve stops after ingesting).
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  dir: { type: 'string' },
  port: { type: 'string' },
  'no-serve': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runDemo(argv: string[], io: Io): Promise<number> {
  const { values } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(DEMO_HELP);
    return EXIT.ok;
  }
  const dir = path.resolve(io.cwd, values.dir ?? 'demo-data');
  const trail = generateDemoTrail({ end: io.now() });
  if (existsSync(dir)) {
    io.out(`demo data: ${dir} (already there; remove it to generate a fresh one ending now)\n`);
  } else {
    const written = await writeDemoTrail(trail, dir);
    io.out(`demo data: wrote ${written.files} files with ${written.records} records to ${dir}\n`);
  }
  const dbPath = resolveDbPath(values.db, io.env, io.cwd, loadConfig(values.config, io.env, io.cwd));
  const store = await openStore(dbPath, io.now);
  try {
    const progress = progressReporter(io);
    const rules = await loadDetection(undefined, io);
    const summary = await ingest(store, createSources([dir], { filter: {}, aws: {}, stdin: io.stdin }), {
      onProgress: progress.update,
      detection: { rules, now: io.now },
    });
    progress.done();
    io.out(`store: ${dbPath}\n${formatSummary(summary)}`);
    const alerts = await store.alerts({ limit: 100_000 });
    const bySeverity = new Map<string, number>();
    for (const a of alerts) bySeverity.set(a.severity, (bySeverity.get(a.severity) ?? 0) + 1);
    io.out(
      `alerts: ${alerts.length} from ${rules.length} rules (${[...bySeverity].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'})\n`,
    );
  } finally {
    await store.close();
  }
  io.out('\nWhat happened in the demo organisation (newest last):\n');
  for (const step of trail.scenario)
    io.out(`  - ${step.description} [${step.eventNames.join(', ')}] in ${step.account}\n`);
  const db = values.db === undefined ? '' : ` --db ${values.db}`;
  io.out(
    `\nTry:\n  ./bin/trailwatch alerts${db} --min-severity medium\n` +
      `  ./bin/trailwatch who${db} backup-admin\n` +
      `  ./bin/trailwatch search${db} --since 1d --outcome failure\n` +
      `  ./bin/trailwatch search${db} --event-name DeleteDetector,StopLogging,PutBucketPolicy --format jsonl\n` +
      `  ./bin/trailwatch search${db} --user backup-admin\n`,
  );
  if (values['no-serve']) return EXIT.ok;
  io.out('\n');
  return runServe(['--db', dbPath, ...(values.port ? ['--port', values.port] : [])], io);
}
