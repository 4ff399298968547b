// `--worker i/N` and `--workers N` for ingest and watch: one slice of the sources per process, and
// N child processes of this same command on this machine. The store keeps the state they share.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { allowsConcurrentWriters } from '../app.js';
import type { WorkerSlice } from '../pipeline/partition.js';
import { positiveInt } from './args.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { ownHeapFlags } from './launch.js';

export const WORKER_OPTIONS = {
  worker: { type: 'string' },
  workers: { type: 'string' },
} as const;

export const WORKERS_HELP = `  --workers N            run N worker processes here, the sources shared among them (needs a
                         ClickHouse store: DuckDB allows one writer per file)
  --worker I/N           be worker I of N (1 ≤ I ≤ N), e.g. one per machine: each reads the objects of
                         its accounts and regions (a stable hash of the key prefix); an SQS queue is
                         consumed by all`;

const BIN = fileURLToPath(new URL('../../bin/trailwatch', import.meta.url));

/** `I/N` (1-based, as people count) as a 0-based slice. */
export function parseWorker(value: string | undefined): WorkerSlice | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new UsageError(`--worker ${value}: expected I/N with 1 ≤ I ≤ N, e.g. --worker 2/4`);
  return { index: index - 1, count };
}

/** How the command runs: one process, a slice of the sources, or N children. */
export function workerPlan(
  values: { worker?: string | undefined; workers?: string | undefined },
  store: string,
): { slice?: WorkerSlice; children?: number } {
  const slice = parseWorker(values.worker);
  const children = positiveInt(values.workers, '--workers');
  if (slice && children)
    throw new UsageError('use --workers N (here) or --worker I/N (one of several), not both');
  const count = slice?.count ?? children ?? 1;
  if (count > 1 && !allowsConcurrentWriters(store))
    throw new UsageError(
      `${children ? `--workers ${children}` : `--worker ${values.worker}`} needs a store several processes can ` +
        `write at once, and DuckDB allows one writer per file (${store}); use a ClickHouse store, ` +
        'e.g. --db clickhouse://127.0.0.1:8123/trailwatch',
    );
  if (children && children > 1) return { children };
  return slice && slice.count > 1 ? { slice } : {};
}

/** The arguments without `--workers N` / `--workers=N`. */
function withoutWorkers(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--workers') i++;
    else if (!a.startsWith('--workers=')) out.push(a);
  }
  return out;
}

export interface ChildResult {
  code: number;
  out: string;
}

/**
 * Runs `trailwatch <command> <argv> --worker i/N` for i = 1..N and waits for all of them. Their standard
 * error is passed through; SIGINT and SIGTERM (and `signal`) are passed on: each child finishes its
 * batch and stops.
 */
export async function runChildren(
  command: 'ingest' | 'watch',
  argv: readonly string[],
  count: number,
  io: Io,
  signal?: AbortSignal,
): Promise<ChildResult[]> {
  const args = [command, ...withoutWorkers(argv)];
  const children = Array.from({ length: count }, (_, i) =>
    // With this process's heap cap (launch.ts), so that each child runs as it is started.
    spawn(process.execPath, [...ownHeapFlags(), BIN, ...args, '--worker', `${i + 1}/${count}`], {
      cwd: io.cwd,
      env: io.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const forward = (signal: NodeJS.Signals) => () => {
    for (const c of children) c.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  signal?.addEventListener('abort', onTerm, { once: true });
  try {
    return await Promise.all(
      children.map(
        (child, i) =>
          new Promise<ChildResult>((resolve, reject) => {
            let out = '';
            child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
            // Each line of a child's messages is prefixed with the worker it comes from.
            let partial = '';
            const prefix = `[worker ${i + 1}/${count}] `;
            child.stderr.setEncoding('utf8').on('data', (t: string) => {
              const lines = (partial + t).split('\n');
              partial = lines.pop() ?? '';
              for (const line of lines) io.err(`${prefix}${line}\n`);
            });
            child.stderr.once('end', () => {
              if (partial) io.err(`${prefix}${partial}\n`);
            });
            child.once('error', reject);
            child.once('close', (code) => resolve({ code: code ?? 70, out }));
          }),
      ),
    );
  } finally {
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGTERM', onTerm);
    signal?.removeEventListener('abort', onTerm);
  }
}
