// The watch use case: ingest new objects from the sources again and again, until told to stop.
import type { Source } from '../sources/port.js';
import type { Store } from '../storage/port.js';
import { ingest, type IngestOptions, type IngestSummary } from './ingest.js';

export interface WatchOptions extends Omit<IngestOptions, 'signal'> {
  intervalMs: number;
  /** Stops after the current batch (what was stored stays stored and checkpointed). */
  signal: AbortSignal;
  onCycle?: (summary: IngestSummary, cycle: number) => void;
  /** Runs after every cycle's ingest (e.g. retention). */
  afterCycle?: () => Promise<void>;
  /** Waits between cycles; injected so tests need not sleep. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Polls: each cycle lists the sources anew (`sources()` is called per cycle, so a time window can
 * move forward and new days, accounts and regions appear), stores what is new, evaluates and
 * notifies. Checkpoints make every cycle idempotent; a crash loses nothing.
 */
export async function watch(store: Store, sources: () => Source[], options: WatchOptions): Promise<number> {
  const wait = options.wait ?? sleep;
  let cycle = 0;
  while (!options.signal.aborted) {
    cycle++;
    const summary = await ingest(store, sources(), { ...options, signal: options.signal });
    options.onCycle?.(summary, cycle);
    await options.afterCycle?.();
    if (options.signal.aborted) break;
    await wait(options.intervalMs, options.signal);
  }
  return cycle;
}
