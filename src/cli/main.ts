// The CLI entry: dispatches commands and maps errors to exit statuses. The only place that decides exits.
import { ConfigError } from '../config/load.js';
import { SourceError } from '../sources/port.js';
import { StoreError } from '../storage/port.js';
import { runDemo } from './demo.js';
import { EXIT, UsageError } from './errors.js';
import { runIngest } from './ingest.js';
import { processIo, type Io } from './io.js';
import { runAlerts } from './alerts.js';
import { runHunt } from './hunt.js';
import { runNotify } from './notify.js';
import { runPrune } from './prune.js';
import { runRules } from './rules.js';
import { runSearch } from './search.js';
import { runServe } from './serve.js';
import { runSuppress } from './suppress.js';
import { runVerify } from './verify.js';
import { runWatch } from './watch.js';
import { runWho } from './who.js';

export const HELP = `Trailwatch: monitoring and threat detection for AWS CloudTrail logs.

Usage: trailwatch <command> [options]   (trailwatch <command> --help for details)

Commands:
  ingest <source…>   store CloudTrail logs from files, directories, globs, stdin or s3://bucket/prefix
  hunt <source…>     ingest into a temporary store, run every rule, print the alerts
  watch <source…>    keep collecting: poll S3 or folders, store, detect, notify, until stopped
  verify <dir>       check log files against CloudTrail's digests: hashes, chain, signatures, gaps
  search             find events (CloudTrail event history filters and more)
  alerts             list stored alerts; ack, resolve, reopen, assign, comment, show one
  suppress           add, list and remove suppressions (reason, author, expiry)
  notify <action>    test a destination, dispatch the outbox, show pending, dead and withdrawn notifications
  rules <action>     list, validate and test detection rules (built-in pack and your own, Sigma too)
  who <identity>     who is really behind a key, ARN, user or session: origin, role chains, activity
  prune --retain D   delete events older than D (alerts, matches and checkpoints are kept)
  serve              HTTP JSON API and web UI over the store (127.0.0.1:8080 by default)
  demo               generate a demo organisation's trail and ingest it

Exit status: 0 ok; 1 ingest finished but quarantined records or files; 2 usage, source or store
error; 3 some source objects could not be read (a re-run retries them); 70 internal error.
who exits 1 when nothing matches.
`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  ingest: runIngest,
  search: runSearch,
  who: runWho,
  rules: runRules,
  hunt: runHunt,
  alerts: runAlerts,
  suppress: runSuppress,
  notify: runNotify,
  prune: runPrune,
  watch: runWatch,
  verify: runVerify,
  demo: runDemo,
  serve: runServe,
};

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return command ? EXIT.ok : EXIT.usage;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`trailwatch: unknown command '${command}'\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`trailwatch ${command}: the configuration has problems:\n${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof UsageError || err instanceof SourceError || err instanceof StoreError) {
      io.err(`trailwatch ${command}: ${err.message}\n`);
      return EXIT.usage;
    }
    io.err(
      `trailwatch ${command}: internal error — please report it with the command you ran:\n${(err as Error).stack ?? String(err)}\n`,
    );
    return EXIT.internal;
  }
}
