// The demo data set: a deterministic organization trail of ordinary work with one attack story in it.
import { generateAttack } from './attack.js';
import { generateCi } from './benign-ci.js';
import { generateNoise } from './benign-noise.js';
import { generatePeople } from './benign-people.js';
import { generateWorkloads } from './benign-workloads.js';
import { deliverLogFiles } from './deliver.js';
import { buildDigests } from './digest.js';
import { DAY, SECOND } from './format.js';
import { createRng } from './random.js';
import { forkSink, type Sink } from './record.js';
import type { DemoTrail, GenerateDemoOptions } from './types.js';

export type {
  DemoDigestFile,
  DemoLogFile,
  DemoScenarioStep,
  DemoTrail,
  GenerateDemoOptions,
} from './types.js';

export const DEFAULT_DEMO_SEED = 20240611;
export const DEFAULT_DEMO_DAYS = 3;

function checkOptions(end: number, days: number): void {
  if (!Number.isFinite(end) || end <= 0) {
    throw new Error(`demo end must be epoch milliseconds, found ${String(end)}; e.g. { end: Date.now() }`);
  }
  if (!Number.isFinite(days) || days < 1) {
    throw new Error(
      `demo days must be a number of at least 1, found ${String(days)}; e.g. { end: Date.now(), days: 3 }`,
    );
  }
}

/**
 * Generates `days` days of activity ending at `end` (epoch ms, the newest possible event time). Pure and
 * deterministic: the same seed and end give the same trail. Log files are delivered up to 15 minutes
 * after `end`, as CloudTrail would deliver the last events.
 */
export function generateDemoTrail(options: GenerateDemoOptions): DemoTrail {
  const days = options.days ?? DEFAULT_DEMO_DAYS;
  checkOptions(options.end, days);
  const rng = createRng(options.seed ?? DEFAULT_DEMO_SEED);
  // Event times have whole seconds; starting on a whole second keeps every one of them inside the window.
  const start = Math.ceil((options.end - days * DAY) / SECOND) * SECOND;
  const sink: Sink = { rng, start, end: options.end, records: [] };

  generatePeople(forkSink(sink, 'people'));
  generateWorkloads(forkSink(sink, 'workloads'));
  generateCi(forkSink(sink, 'ci'));
  generateNoise(forkSink(sink, 'noise'));
  const scenario = generateAttack(forkSink(sink, 'attack'));

  const attackIds = new Set(scenario.flatMap((step) => step.eventIds));
  const delivered = deliverLogFiles(rng.fork('delivery'), sink.records, attackIds);
  const digests = buildDigests(rng.fork('digests'), delivered, options.end);
  return { files: delivered.map(({ key, records }) => ({ key, records })), digests, scenario };
}
