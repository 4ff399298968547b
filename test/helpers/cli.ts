// Runs the CLI in-process with captured output, a fixed clock and a chosen environment.
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string; now?: number } = {},
): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    isTty: false,
    now: () => options.now ?? Date.parse('2024-05-02T00:00:00Z'),
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

/** An Io whose output and errors go to one log (for long-running commands such as watch). */
export function logIo(cwd: string, now: number | (() => number)): { io: Io; log: () => string } {
  let log = '';
  const io: Io = {
    out: (t) => void (log += t),
    err: (t) => void (log += t),
    stdin: Readable.from([]),
    env: {},
    isTty: false,
    now: typeof now === 'number' ? () => now : now,
    cwd,
  };
  return { io, log: () => log };
}
