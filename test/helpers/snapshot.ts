// What a user sees of a store through the CLI, to compare two stores that hold the same data.
import { cli } from './cli.js';

export interface SnapshotOptions {
  now: number;
  cwd: string;
  /** At most this many origins (by name) get `who` and `search --origin`. */
  maxOrigins?: number;
}

const lines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

/** Every event, every alert, and each alerting origin's `who` and `search --origin`. */
export async function snapshot(db: string, options: SnapshotOptions) {
  const run = async (argv: string[]): Promise<string> => {
    const r = await cli(argv, { now: options.now, cwd: options.cwd });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.err}`);
    return r.out;
  };
  // Newest first, ties by event id; copies of one id in several accounts may come in either order.
  const events = lines(await run(['search', '--db', db, '--limit', '1000000', '--format', 'jsonl']))
    .map((e) => JSON.stringify(e))
    .sort();
  const alerts = lines(await run(['alerts', '--db', db, '--limit', '100000', '--format', 'jsonl'])) as {
    actor?: { origin?: { name?: string } };
  }[];
  const names = [...new Set(alerts.map((a) => a.actor?.origin?.name).filter((n): n is string => !!n))]
    .sort()
    .slice(0, options.maxOrigins ?? Infinity);
  const origins: Record<string, unknown> = {};
  for (const name of names)
    origins[name] = {
      // `who` may find nothing for a name (exit 1): the same on both stores.
      who: await cli(['who', name, '--db', db, '--format', 'jsonl'], { now: options.now, cwd: options.cwd }),
      events: lines(
        await run(['search', '--db', db, '--origin', name, '--limit', '100000', '--format', 'jsonl']),
      ).map((e) => (e as { eventId: string }).eventId),
    };
  return { events, alerts, origins };
}
