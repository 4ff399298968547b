// Consuming a notification queue: store the announced objects, then remove the messages; poison ones are dead-lettered.
import { parseAnnouncement, type AnnouncedObject } from '../sources/notifications.js';
import type { NotificationQueue, QueueMessage, Source, SourceObject } from '../sources/port.js';
import type { Store } from '../storage/port.js';
import { ingest, type IngestOptions, type IngestSummary } from './ingest.js';
import { recordConsume } from './metrics.js';

export interface ConsumeOptions extends IngestOptions {
  /** Turns an announced object into one the pipeline can read (S3 HEAD for its ETag when needed). */
  resolve: (o: AnnouncedObject) => Promise<SourceObject>;
  /** A message handed out this many times without success is dead-lettered. */
  maxReceives: number;
  /** Keeps a poison message and why (before it is removed from the queue). */
  onDeadLetter: (message: QueueMessage, reason: string) => Promise<void>;
}

export interface ConsumeSummary {
  messages: number;
  removed: number;
  deadLettered: number;
  /** Left on the queue: they come back after its visibility timeout. */
  retried: number;
  ingest: IngestSummary | null;
}

const listOf = (objects: readonly SourceObject[]): Source => ({
  list: () =>
    (async function* () {
      await Promise.resolve();
      yield* objects;
    })(),
});

/**
 * One round: receive up to 10 messages, store every object they announce, and only then remove
 * them. A crash before the removal redelivers them, and the checkpoints make that harmless.
 */
export async function consumeOnce(
  store: Store,
  queue: NotificationQueue,
  options: ConsumeOptions,
): Promise<ConsumeSummary> {
  const messages = await queue.receive(10);
  const summary: ConsumeSummary = {
    messages: messages.length,
    removed: 0,
    deadLettered: 0,
    retried: 0,
    ingest: null,
  };
  const done: QueueMessage[] = [];
  const failing = new Map<QueueMessage, string>();
  const objectsOf = new Map<QueueMessage, SourceObject[]>();
  for (const m of messages) {
    const a = parseAnnouncement(m.body);
    if (a.kind === 'test') done.push(m);
    else if (a.kind === 'invalid') {
      // A message that is not a notification never becomes one: dead-letter it now.
      await options.onDeadLetter(m, a.reason);
      done.push(m);
      summary.deadLettered++;
    } else {
      try {
        objectsOf.set(m, await Promise.all(a.objects.map((o) => options.resolve(o))));
      } catch (err) {
        failing.set(m, (err as Error).message);
      }
    }
  }
  const objects = [...objectsOf.values()].flat();
  if (objects.length) {
    summary.ingest = await ingest(store, [listOf(objects)], options);
    const unreadable = new Map(summary.ingest.readErrors.map((e) => [e.uri, e.message]));
    for (const [m, objs] of objectsOf) {
      const problem = objs.map((o) => unreadable.get(o.uri)).find((e) => e !== undefined);
      if (problem) failing.set(m, problem);
      else done.push(m);
    }
  } else for (const m of objectsOf.keys()) done.push(m);
  for (const [m, reason] of failing) {
    if (m.receiveCount >= options.maxReceives) {
      await options.onDeadLetter(m, `after ${m.receiveCount} receives: ${reason}`);
      done.push(m);
      summary.deadLettered++;
    } else summary.retried++;
  }
  if (done.length) await queue.remove(done);
  summary.removed = done.length;
  recordConsume(options.metrics, summary);
  return summary;
}
