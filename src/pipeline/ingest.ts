// The ingest use case: list sources, skip checkpointed objects, read, decode, normalize, store in batches.
import type { CloudTrailEvent } from '../domain/event.js';
import type { ObjectRecord, QuarantineEntry, QuarantineReason } from '../domain/ingest.js';
import type { MatchRow } from '../domain/alert.js';
import type { StoredCredential } from '../domain/identity.js';
import type { JsonObject } from '../domain/json.js';
import type { CompiledRule } from '../domain/rule.js';
import { detect, type DetectItem } from '../engine/detect.js';
import { buildIndex, candidateRules } from '../engine/match.js';
import { planLedger, settleLedger } from '../identity/ledger.js';
import type { SessionNamePolicy } from '../identity/session-name.js';
import { evaluatePending, type EvaluationSummary, type NotifySettings } from './evaluate.js';
import type { Source, SourceObject } from '../sources/port.js';
import type { Store } from '../storage/port.js';
import { mapBounded } from './bounded.js';
import { recordBatch, type PipelineMetrics } from './metrics.js';
import { prepareObject } from './prepare-object.js';
import { isOwnedBy, type WorkerSlice } from './partition.js';
import { eventsAt, eventsAttributedBy, ledgerFor, rematchStored, rematchUntilSettled } from './rematch.js';
import { collectGarbageAbove, HEAP_CEILING } from './heap.js';

export interface IngestProgress {
  objectsTotal: number;
  objectsDone: number;
  bytesTotal: number | null;
  bytesDone: number;
  eventsStored: number;
}

export interface IngestOptions {
  /** Objects read in parallel (downloads). */
  concurrency?: number;
  /** A batch is written once it holds this many events (or `batchObjects` objects). */
  batchEvents?: number;
  batchObjects?: number;
  onProgress?: (progress: IngestProgress) => void;
  /** Stops between batches; what was stored stays stored and checkpointed. */
  signal?: AbortSignal;
  /** Rules to evaluate as events are stored; without them, nothing is matched. */
  detection?: {
    rules: readonly CompiledRule[];
    policy?: SessionNamePolicy;
    now?: () => number;
    notify?: NotifySettings;
  };
  /** This process reads only its slice of the objects (one worker of several). */
  worker?: WorkerSlice;
  /** Other processes write the store too: after each batch, ledger rows they left unresolved are settled. */
  hasOtherWriters?: boolean;
  /** Runs after each stored batch (e.g. to dispatch the notifications it created). */
  afterBatch?: () => Promise<void>;
  /** Counters of this process (for /metrics), incremented as batches are stored. */
  metrics?: PipelineMetrics;
  /** The clock for delivery delays (defaults to the detection clock, then the system clock). */
  now?: () => number;
}

export interface IngestSummary {
  objectsListed: number;
  /** Already stored by an earlier run (checkpoint hit). */
  objectsSkipped: number;
  objectsRead: number;
  digests: number;
  recordsSeen: number;
  eventsStored: number;
  duplicates: number;
  /** Credential ledger rows written (issued keys, and earlier rows re-resolved by them). */
  credentials: number;
  /** Rule matches stored, and alerts written or updated by evaluation. */
  matches: number;
  /** Stored events matched again because their attribution changed (a late issuing event). */
  rematched: number;
  alerts: number;
  quarantined: Partial<Record<QuarantineReason, number>>;
  /** Objects that could not be read; they are not checkpointed, so the next run retries them. */
  readErrors: { uri: string; message: string }[];
  isAborted: boolean;
}

export function emptySummary(): IngestSummary {
  return {
    objectsListed: 0,
    objectsSkipped: 0,
    objectsRead: 0,
    digests: 0,
    recordsSeen: 0,
    eventsStored: 0,
    duplicates: 0,
    credentials: 0,
    matches: 0,
    rematched: 0,
    alerts: 0,
    quarantined: {},
    readErrors: [],
    isAborted: false,
  };
}

/** The summaries of several workers as one. */
export function combineSummaries(summaries: readonly IngestSummary[]): IngestSummary {
  const total = emptySummary();
  for (const s of summaries) {
    for (const k of ['objectsListed', 'objectsSkipped', 'objectsRead', 'digests', 'recordsSeen'] as const)
      total[k] += s[k];
    for (const k of ['eventsStored', 'duplicates', 'credentials', 'matches', 'rematched', 'alerts'] as const)
      total[k] += s[k];
    for (const [reason, n] of Object.entries(s.quarantined) as [keyof IngestSummary['quarantined'], number][])
      total.quarantined[reason] = (total.quarantined[reason] ?? 0) + n;
    total.readErrors.push(...s.readErrors);
    total.isAborted ||= s.isAborted;
  }
  return total;
}

export function quarantinedTotal(summary: IngestSummary): number {
  return Object.values(summary.quarantined).reduce((a, b) => a + (b ?? 0), 0);
}

async function listAll(sources: readonly Source[]): Promise<SourceObject[]> {
  const seen = new Map<string, SourceObject>();
  for (const source of sources)
    for await (const o of source.list()) if (!seen.has(o.identity)) seen.set(o.identity, o);
  return [...seen.values()];
}

/**
 * The positions of the events the store keeps from this batch: one per (eventID, account), the
 * first by (object, record), as every store chooses. A second copy in the same batch is a
 * duplicate or a conflicting record (quarantined): it must not match rules, or an alert would
 * count it and might take its title from it, depending on which copy a store read first.
 */
function firstCopies(events: readonly CloudTrailEvent[]): number[] {
  const first = new Map<string, number>();
  events.forEach((e, i) => {
    const key = `${e.eventId}\u0000${e.recipientAccountId}`;
    const seen = first.get(key);
    const other = seen === undefined ? undefined : events[seen];
    if (
      !other ||
      e.origin.objectId < other.origin.objectId ||
      (e.origin.objectId === other.origin.objectId && e.origin.index < other.origin.index)
    )
      first.set(key, i);
  });
  return [...first.values()].sort((a, b) => a - b);
}

/**
 * Settles the batch's ledger rows against what other writers stored (see settleLedger). Rows it
 * rewrites are settled again after they are written: a writer that read the old row in between
 * is seen then, as each check follows its own write. Returns the rows rewritten.
 */
async function settle(store: Store, written: StoredCredential[]): Promise<StoredCredential[]> {
  const rewritten: StoredCredential[] = [];
  let rows = written;
  for (let round = 0; rows.length && round < 8; round++) {
    rows = await settleLedger(rows, store, (ids) =>
      store.searchEvents({ sharedEventIds: ids, limit: 1_000_000 }),
    );
    if (rows.length)
      await store.appendBatch({ objects: [], events: [], quarantine: [], credentials: rows, matches: [] });
    rewritten.push(...rows);
  }
  return rewritten;
}

export async function ingest(
  store: Store,
  sources: readonly Source[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  // Matches left unevaluated by an earlier run that stopped (a crash between store and evaluate).
  if (options.detection)
    await evaluatePending(
      store,
      options.detection.rules,
      (options.detection.now ?? Date.now)(),
      options.detection.notify,
    );
  const all = await listAll(sources);
  const worker = options.worker;
  const listed = worker ? all.filter((o) => isOwnedBy(o, worker)) : all;
  const done = await store.storedObjects(listed.map((o) => o.identity));
  const todo = listed.filter((o) => !done.has(o.identity));
  const summary = emptySummary();
  summary.objectsListed = listed.length;
  summary.objectsSkipped = listed.length - todo.length;
  const sizes = todo.map((o) => o.size);
  const progress: IngestProgress = {
    objectsTotal: todo.length,
    objectsDone: 0,
    bytesTotal: sizes.every((s) => s !== null) ? sizes.reduce((a: number, s) => a + (s ?? 0), 0) : null,
    bytesDone: 0,
    eventsStored: 0,
  };
  const batchEvents = options.batchEvents ?? 20_000;
  const batchObjects = options.batchObjects ?? 1000;
  let objects: ObjectRecord[] = [];
  let events: CloudTrailEvent[] = [];
  let records: JsonObject[] = [];
  const index = options.detection ? buildIndex(options.detection.rules) : null;
  let quarantine: QuarantineEntry[] = [];

  const flush = async (): Promise<void> => {
    if (!objects.length) return;
    // The ledger is planned against the store before the batch's transaction; one writer at a time.
    const ledger = await planLedger(events, store);
    let matches: MatchRow[] = [];
    let items: DetectItem[] = [];
    let view = ledger.view;
    const batchObjectIds = new Set(objects.map((o) => o.objectId));
    const rematcher = index ? { index, policy: options.detection?.policy } : null;
    if (rematcher) {
      items = firstCopies(events).map((i) => ({
        event: events[i] as CloudTrailEvent,
        raw: records[i] as JsonObject,
      }));
      view = await ledgerFor(
        store,
        items.map((i) => i.event),
        ledger.view,
      );
      matches = detect(rematcher.index, items, view, rematcher.policy);
      // Stored events whose keys this batch resolves (or resolves better) were matched without it.
      const earlier = await eventsAttributedBy(store, ledger.changed, batchObjectIds);
      summary.rematched += await rematchStored(store, earlier, ledger.view, rematcher);
    }
    const result = await store.appendBatch({
      objects,
      events,
      quarantine,
      credentials: ledger.rows,
      matches,
    });
    if (options.hasOtherWriters) {
      const settled = await settle(store, ledger.rows);
      if (rematcher) {
        // Other writers may have changed rows this batch was matched with, or stored events made
        // with keys this batch resolves: both sides check after their own writes.
        summary.rematched += await rematchUntilSettled(
          store,
          items.map((i) => i.event),
          view,
          rematcher,
        );
        const earlier = await eventsAttributedBy(store, [...ledger.changed, ...settled], batchObjectIds);
        summary.rematched += await rematchUntilSettled(
          store,
          await eventsAt(store, earlier),
          new Map(),
          rematcher,
        );
      }
    }
    summary.credentials += ledger.rows.length;
    summary.matches += matches.length;
    let evaluation: EvaluationSummary | null = null;
    if (options.detection) {
      evaluation = await evaluatePending(
        store,
        options.detection.rules,
        (options.detection.now ?? Date.now)(),
        options.detection.notify,
      );
      summary.alerts += evaluation.alerts;
    }
    summary.eventsStored += result.stored;
    summary.duplicates += result.duplicates;
    const batchQuarantine: Partial<Record<QuarantineReason, number>> = {};
    for (const q of quarantine) batchQuarantine[q.reason] = (batchQuarantine[q.reason] ?? 0) + 1;
    if (result.conflicts)
      batchQuarantine['conflicting-event-id'] =
        (batchQuarantine['conflicting-event-id'] ?? 0) + result.conflicts;
    for (const [reason, n] of Object.entries(batchQuarantine) as [QuarantineReason, number][])
      summary.quarantined[reason] = (summary.quarantined[reason] ?? 0) + n;
    if (options.metrics)
      recordBatch(options.metrics, {
        objects,
        events,
        result,
        quarantined: batchQuarantine,
        evaluations: index ? events.reduce((n, e) => n + candidateRules(index, e).length, 0) : 0,
        matches: matches.length,
        evaluation,
        now: (options.now ?? options.detection?.now ?? Date.now)(),
      });
    await options.afterBatch?.();
    progress.eventsStored = summary.eventsStored;
    objects = [];
    events = [];
    records = [];
    quarantine = [];
    collectGarbageAbove(HEAP_CEILING);
  };

  const reads = mapBounded(todo, options.concurrency ?? 8, async (o) => ({ o, bytes: await o.read() }));
  let i = 0;
  for await (const result of reads) {
    const source = todo[i++] as SourceObject;
    progress.objectsDone++;
    if (!result.ok) {
      summary.readErrors.push({ uri: source.uri, message: (result.error as Error).message });
      options.metrics?.readErrors.inc();
    } else {
      const prepared = prepareObject(source, result.value.bytes);
      summary.objectsRead++;
      summary.recordsSeen += prepared.object.records;
      if (prepared.object.kind === 'digest') summary.digests++;
      progress.bytesDone += result.value.bytes.length;
      objects.push(prepared.object);
      for (const e of prepared.events) events.push(e);
      for (const r of prepared.records) records.push(r);
      for (const q of prepared.quarantine) quarantine.push(q);
      if (events.length >= batchEvents || objects.length >= batchObjects) await flush();
    }
    options.onProgress?.(progress);
    if (options.signal?.aborted) {
      summary.isAborted = true;
      break;
    }
  }
  await flush();
  options.onProgress?.(progress);
  return summary;
}
