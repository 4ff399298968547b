// How bin/trailwatch starts the CLI: in a child process of the same Node.js whose JavaScript heap is
// capped. V8's default old-space limit here is ~4 GB, so it collects late: during an ingest with the
// rule pack the heap reaches 500–630 MB of which ~150 MB is live, and peak RSS passes 1.5 GB. A cap
// makes it collect sooner (docs/performance.md, "Memory"). The limit can only be set when the
// process starts, hence the child.
//
// The parent only relays: the child inherits stdin, stdout and stderr; SIGINT, SIGTERM and SIGHUP
// are passed on exactly once (the child has its own session, so a terminal's Ctrl-C reaches only the
// parent; a second Ctrl-C is passed on too and ends a command that is finishing its batch); Ctrl-Z
// stops both; the parent exits with the child's status or dies of the child's signal. The child ends
// at once if the parent dies (its IPC channel closes): an orphan must not keep the store's lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/** The heap cap in MiB unless TRAILWATCH_MAX_HEAP_MB says otherwise. */
export const DEFAULT_MAX_HEAP_MB = 1024;

const HEAP_ENV = 'TRAILWATCH_MAX_HEAP_MB';
/** Set for the child only, which removes it at once so that its own children do not inherit it. */
const CHILD_ENV = 'TRAILWATCH_LAUNCHED';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Two of the same signal closer together than this are one (coalesceSignals). */
const COALESCE_MS = 500;

/** The commands that hold many events at once or run for long; the others start faster without a child. */
export const CAPPED_COMMANDS: ReadonlySet<string> = new Set([
  'ingest',
  'hunt',
  'watch',
  'serve',
  'demo',
  'verify',
]);

const HEAP_FLAG = /^--max[-_]old[-_]space[-_]size(=|$)/;

/**
 * The heap cap for a new process: TRAILWATCH_MAX_HEAP_MB (a whole number of MiB, at least 64), or
 * the default; null when it is 0 (no cap, no child) or when the Node options already set one.
 */
export function heapCap(env: NodeJS.ProcessEnv, execArgv: readonly string[] = []): number | null {
  const options = [...execArgv, ...(env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  if (options.some((o) => HEAP_FLAG.test(o))) return null;
  const raw = env[HEAP_ENV]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_MAX_HEAP_MB;
  if (!/^\d+$/.test(raw) || (Number(raw) !== 0 && Number(raw) < 64))
    throw new Error(`${HEAP_ENV}=${raw}: expected a number of MiB (at least 64), or 0 for no cap`);
  return Number(raw) === 0 ? null : Number(raw);
}

/** The node options that give a process the heap cap (none when there is none to give). */
export function heapFlags(env: NodeJS.ProcessEnv, execArgv: readonly string[] = []): string[] {
  const mb = heapCap(env, execArgv);
  return mb === null ? [] : [`--max-old-space-size=${mb}`];
}

/** This process's own heap options, for a child that should have the same cap. */
export function ownHeapFlags(): string[] {
  return process.execArgv.filter((o) => HEAP_FLAG.test(o));
}

/**
 * Runs `run(argv)` here when this process already has its heap cap (or is the child, or the cap is
 * off, or `capped(argv)` says the command does not need one); otherwise re-runs this script in a
 * child with the cap and returns its exit status.
 */
export async function launch(
  argv: string[],
  run: (argv: string[]) => Promise<number>,
  capped: (argv: string[]) => boolean = () => true,
): Promise<number> {
  if (process.env[CHILD_ENV] !== undefined) {
    delete process.env[CHILD_ENV];
    dieWithParent();
    coalesceSignals();
    return run(argv);
  }
  if (!capped(argv)) return run(argv);
  let flags: string[];
  try {
    flags = heapFlags(process.env, process.execArgv);
  } catch (err) {
    process.stderr.write(`trailwatch: ${(err as Error).message}\n`);
    return 2;
  }
  const script = process.argv[1];
  if (flags.length === 0 || script === undefined || process.platform === 'win32') return run(argv);
  const child = spawn(process.execPath, [...process.execArgv, ...flags, script, ...argv], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CHILD_ENV]: '1' },
    detached: true,
  });
  return relay(child);
}

/** In the child: the parent's death (its end of the IPC channel closing) ends this process too. */
function dieWithParent(): void {
  if (!process.channel) return;
  // The channel must not keep the child alive once its work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

/**
 * In the child: a signal sent to the parent and the child at once (systemd stopping the unit's whole
 * control group, `pkill`) arrives twice, directly and passed on. The copy that follows within
 * COALESCE_MS is dropped, so that a command stopping on the first (with `process.once`) finishes its
 * batch instead of dying of the second. A signal nobody else listens for still ends the process.
 */
function coalesceSignals(): void {
  for (const signal of FORWARDED) {
    let last = -Infinity;
    const listener = (): void => {
      const now = performance.now();
      const copy = now - last < COALESCE_MS;
      last = now;
      if (copy) return;
      // Registered first, so it runs before a `once` listener removes itself.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, listener);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, listener);
  }
}

function relay(child: ChildProcess): Promise<number> {
  const forward = new Map<NodeJS.Signals, () => void>();
  for (const signal of FORWARDED) forward.set(signal, () => void child.kill(signal));
  // Ctrl-Z: the child, alone in its session, would ignore SIGTSTP; stop it, then stop here. `fg`
  // continues this process, which continues the child.
  forward.set('SIGTSTP', () => {
    child.kill('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  });
  forward.set('SIGCONT', () => void child.kill('SIGCONT'));
  for (const [signal, handler] of forward) process.on(signal, handler);
  const detach = (): void => {
    for (const [signal, handler] of forward) process.removeListener(signal, handler);
  };
  return new Promise((resolve) => {
    child.once('error', (err) => {
      detach();
      process.stderr.write(`trailwatch: cannot start ${process.execPath}: ${err.message}\n`);
      resolve(70);
    });
    child.once('exit', (code, signal) => {
      detach();
      if (signal) {
        // Die of the same signal, so that whoever started us sees what happened to the work.
        process.kill(process.pid, signal);
        resolve(128 + (constants.signals[signal] ?? 1));
      } else resolve(code ?? 70);
    });
  });
}
