// The process's edges as data, so commands run in tests with captured output and a fixed clock.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  isTty: boolean;
  now: () => number;
  cwd: string;
}

export function processIo(): Io {
  // A closed pipe (`trailwatch search | head`) ends the output; it is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    env: process.env,
    isTty: Boolean(process.stderr.isTTY),
    now: () => Date.now(),
    cwd: process.cwd(),
  };
}
