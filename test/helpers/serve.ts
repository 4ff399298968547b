// `trailwatch serve` run as users run it (the built CLI, its own process) on a free loopback port.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './ports.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/trailwatch');

export interface Served {
  url: string;
  /** What the process printed so far. */
  log: () => string;
  /** Stops it with SIGTERM; resolves to its exit status. */
  stop: () => Promise<number | null>;
}

/** Starts `trailwatch serve ARGS --port P` and waits (up to 30 s) until it listens. */
export async function serve(args: readonly string[], cwd: string): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', ...args, '--port', String(port)], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  const started = Date.now();
  while (!log.includes('listening on') && child.exitCode === null && Date.now() - started < 30_000)
    await new Promise((r) => setTimeout(r, 50));
  if (!log.includes('listening on')) {
    await stop();
    throw new Error(`trailwatch serve did not start:\n${log}`);
  }
  return { url: `http://127.0.0.1:${port}`, log: () => log, stop };
}
