// bin/trailwatch's launcher (src/cli/launch.ts): the work runs in a child with a capped heap, and to
// whoever started it the pair behaves as one process — stdin, exit status, signals (each delivered
// once, including a terminal's Ctrl-C to the whole group), Ctrl-Z, and no orphan if the parent dies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_HEAP_MB, heapCap } from '../../src/cli/launch.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'trailwatch');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-launch-'));
const PROBE = path.join(dir, 'probe.mjs');
const started: ChildProcess[] = [];
afterAll(() => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// A stand-in for bin/trailwatch that reports where and with what heap it runs, then does what its
// arguments ask (exit N, echo stdin, die of a signal, wait, count signals).
beforeAll(() => {
  const launchJs = pathToFileURL(path.join(ROOT, 'dist', 'cli', 'launch.js')).href;
  expect(existsSync(new URL(launchJs)), 'build first: npm run build').toBe(true);
  writeFileSync(
    PROBE,
    `import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { launch, ownHeapFlags } from '${launchJs}';
process.exitCode = await launch(process.argv.slice(2), async ([mode, arg]) => {
  const heapMb = Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  const launchedEnv = process.env.TRAILWATCH_LAUNCHED ?? null;
  process.stdout.write(JSON.stringify({ pid: process.pid, ppid: process.ppid, heapMb, launchedEnv, own: ownHeapFlags() }) + '\\n');
  if (mode === 'exit') return Number(arg);
  if (mode === 'stdin') process.stdout.write('stdin: ' + readFileSync(0, 'utf8') + '\\n');
  if (mode === 'die') {
    process.kill(process.pid, arg);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
  if (mode === 'wait') await new Promise((resolve) => setTimeout(resolve, 60_000));
  if (mode === 'batch') {
    // As watch and serve do: the first SIGTERM lets the work in progress (here 1.5 s) finish.
    await new Promise((resolve) => {
      const alive = setInterval(() => undefined, 1000);
      process.once('SIGTERM', () => {
        process.stdout.write('stopping\\n');
        setTimeout(() => resolve(clearInterval(alive)), 1500);
      });
      process.stdout.write('ready\\n');
    });
    process.stdout.write('stopped cleanly\\n');
  }
  if (mode === 'signals') {
    const counts = {};
    // Signal listeners alone do not keep a process alive.
    const alive = setInterval(() => undefined, 1000);
    await new Promise((resolve) => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'])
        process.on(s, () => {
          counts[s] = (counts[s] ?? 0) + 1;
          setTimeout(resolve, 500);
        });
      process.stdout.write('ready\\n');
    });
    clearInterval(alive);
    process.stdout.write('signals: ' + JSON.stringify(counts) + '\\n');
  }
  return 0;
});
`,
  );
});

interface Probe {
  child: ChildProcess;
  out: () => string;
  /** Resolves when the output contains `text`. */
  waitFor: (text: string) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; group?: boolean } = {},
): Probe {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), PROBE, ...args], {
    env: { ...process.env, TRAILWATCH_MAX_HEAP_MB: '', NODE_OPTIONS: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    // As a shell starts a job: its own process group, which a terminal's Ctrl-C signals as a whole.
    detached: options.group ?? false,
  });
  started.push(child);
  let out = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const waitFor = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" in:\n${out}`)), 15_000);
      const check = (): void => {
        if (out.includes(text)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out: () => out, waitFor, exited };
}

interface About {
  pid: number;
  ppid: number;
  heapMb: number;
  launchedEnv: string | null;
  own: string[];
}

function about(probe: Probe): About {
  const line = probe
    .out()
    .split('\n')
    .find((l) => l.startsWith('{"pid"'));
  if (!line) throw new Error(`the probe did not report:\n${probe.out()}`);
  return JSON.parse(line) as About;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process state letter from /proc (R running, S sleeping, T stopped, Z zombie). */
function state(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '?';
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('heapCap', () => {
  it('defaults, reads TRAILWATCH_MAX_HEAP_MB, and leaves a cap given to node alone', () => {
    expect(heapCap({})).toBe(DEFAULT_MAX_HEAP_MB);
    expect(heapCap({ TRAILWATCH_MAX_HEAP_MB: ' 640 ' })).toBe(640);
    expect(heapCap({ TRAILWATCH_MAX_HEAP_MB: '0' })).toBeNull();
    expect(heapCap({}, ['--max-old-space-size=300'])).toBeNull();
    expect(heapCap({}, ['--max_old_space_size=300'])).toBeNull();
    expect(heapCap({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=300' })).toBeNull();
    expect(heapCap({}, ['--max-semi-space-size=16'])).toBe(DEFAULT_MAX_HEAP_MB);
    for (const bad of ['lots', '12', '-5', '1.5'])
      expect(() => heapCap({ TRAILWATCH_MAX_HEAP_MB: bad }), bad).toThrow(/TRAILWATCH_MAX_HEAP_MB/);
  });
});

describe('launch', () => {
  it('runs the work in a child with the default cap, and passes its exit status back', async () => {
    const p = start(['exit', '3']);
    expect(await p.exited).toEqual({ code: 3, signal: null });
    const a = about(p);
    expect(a.ppid).toBe(p.child.pid);
    expect(a.heapMb).toBeGreaterThanOrEqual(DEFAULT_MAX_HEAP_MB);
    expect(a.heapMb).toBeLessThan(DEFAULT_MAX_HEAP_MB + 128);
    // Removed in the child, so the child's own children get a launcher of their own.
    expect(a.launchedEnv).toBeNull();
    // What runChildren gives the worker processes it starts.
    expect(a.own).toEqual([`--max-old-space-size=${DEFAULT_MAX_HEAP_MB}`]);
  });

  it('takes the cap from TRAILWATCH_MAX_HEAP_MB, and runs in one process when it is 0', async () => {
    const capped = start(['exit', '0'], { env: { TRAILWATCH_MAX_HEAP_MB: '300' } });
    await capped.exited;
    expect(about(capped).ppid).toBe(capped.child.pid);
    expect(about(capped).heapMb).toBeGreaterThanOrEqual(300);
    expect(about(capped).heapMb).toBeLessThan(400);
    const uncapped = start(['exit', '0'], { env: { TRAILWATCH_MAX_HEAP_MB: '0' } });
    await uncapped.exited;
    expect(about(uncapped).pid).toBe(uncapped.child.pid);
  });

  it('runs in one process when node was given a heap size, on its command line or in NODE_OPTIONS', async () => {
    const flagged = start(['exit', '0'], { nodeArgs: ['--max-old-space-size=200'] });
    const optioned = start(['exit', '0'], { env: { NODE_OPTIONS: '--max-old-space-size=200' } });
    for (const p of [flagged, optioned]) {
      await p.exited;
      expect(about(p).pid).toBe(p.child.pid);
      expect(about(p).heapMb).toBeLessThan(300);
    }
  });

  it('says what is wrong with a bad TRAILWATCH_MAX_HEAP_MB and exits 2', async () => {
    const p = start(['exit', '0'], { env: { TRAILWATCH_MAX_HEAP_MB: 'lots' } });
    expect((await p.exited).code).toBe(2);
    expect(p.out()).toContain('TRAILWATCH_MAX_HEAP_MB=lots: expected a number of MiB');
    expect(p.out()).not.toContain('"pid"');
  });

  it("gives the child the parent's standard input", async () => {
    const p = start(['stdin']);
    p.child.stdin?.end('{"Records": []}');
    expect((await p.exited).code).toBe(0);
    expect(p.out()).toContain('stdin: {"Records": []}');
    expect(about(p).ppid).toBe(p.child.pid);
  });

  it('passes SIGTERM on once', async () => {
    const p = start(['signals']);
    await p.waitFor('ready');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.out()).toContain('signals: {"SIGTERM":1}');
  });

  it("delivers a terminal's Ctrl-C (SIGINT to the whole process group) once, not twice", async () => {
    const p = start(['signals'], { group: true });
    await p.waitFor('ready');
    process.kill(-(p.child.pid as number), 'SIGINT');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.out()).toContain('signals: {"SIGINT":1}');
  });

  it('takes a signal sent to parent and child at once (systemd stopping the unit) as one', async () => {
    const p = start(['batch']);
    await p.waitFor('ready');
    process.kill(about(p).pid, 'SIGTERM');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    expect(p.out()).toContain('stopped cleanly');
  });

  it('lets a second signal, sent later, end work that is finishing', async () => {
    const p = start(['batch']);
    await p.waitFor('ready');
    p.child.kill('SIGTERM');
    await p.waitFor('stopping');
    await new Promise((resolve) => setTimeout(resolve, 700));
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(p.out()).not.toContain('stopped cleanly');
  });

  it('dies of the signal that killed the child', async () => {
    const p = start(['die', 'SIGTERM']);
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('leaves no orphan: the child ends when the parent is killed', async () => {
    const p = start(['wait']);
    await p.waitFor('"pid"');
    const { pid } = about(p);
    expect(alive(pid)).toBe(true);
    p.child.kill('SIGKILL');
    await p.exited;
    await until(() => !alive(pid), `the child ${pid} has ended`);
  });

  it('stops and continues both with Ctrl-Z and fg', async () => {
    const p = start(['wait']);
    await p.waitFor('"pid"');
    const { pid } = about(p);
    const parent = p.child.pid as number;
    p.child.kill('SIGTSTP');
    await until(() => state(pid) === 'T' && state(parent) === 'T', 'both are stopped');
    p.child.kill('SIGCONT');
    await until(() => state(pid) !== 'T' && state(parent) !== 'T', 'both run again');
    p.child.kill('SIGTERM');
    expect((await p.exited).signal).toBe('SIGTERM');
  });
});

describe('bin/trailwatch', () => {
  it('launches the bulk commands with the cap and the quick ones directly', () => {
    const env = { ...process.env, TRAILWATCH_MAX_HEAP_MB: 'lots', NODE_OPTIONS: '' };
    const ingest = spawnSync(process.execPath, [BIN, 'ingest', '--help'], { env, encoding: 'utf8' });
    expect(ingest.status).toBe(2);
    expect(ingest.stderr).toContain('TRAILWATCH_MAX_HEAP_MB=lots');
    const rules = spawnSync(process.execPath, [BIN, 'rules', 'list'], { env, encoding: 'utf8' });
    expect(rules.stderr).toBe('');
    expect(rules.status).toBe(0);
  });

  it('runs the rule pack where Node makes no function from text', () => {
    // Rule conditions are compiled into functions from text; a hardened Node refuses that, and
    // rules then run as closures. The pack's own tests, positive and negative, tell the two apart.
    const run = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', BIN, 'rules', 'test'],
      { env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/rule tests: \d+ passed, 0 failed/);
    expect(Number(/rule tests: (\d+) passed/.exec(run.stdout)?.[1])).toBeGreaterThan(300);
    expect(run.status).toBe(0);
  });
});
