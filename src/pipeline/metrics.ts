// The metrics Trailwatch exposes: counters of what this process did, and gauges read from the store.
import type { CloudTrailEvent } from '../domain/event.js';
import { ALERT_STATUSES, type OutboxItem } from '../domain/alert.js';
import type { AppendResult, ObjectKind, ObjectRecord, QuarantineReason } from '../domain/ingest.js';
import { SEVERITIES } from '../domain/rule.js';
import type { IntegrityProblemKind } from '../integrity/verify.js';
import { formatExposition } from '../metrics/exposition.js';
import {
  createRegistry,
  type Counter,
  type Family,
  type Histogram,
  type Registry,
} from '../metrics/registry.js';
import type { Store } from '../storage/port.js';
import type { DispatchSummary } from './dispatch.js';
import type { EvaluationSummary } from './evaluate.js';

/** Every value is listed so each series exists (at 0) from the first scrape. */
const QUARANTINE_REASONS = [
  'not-json',
  'not-cloudtrail',
  'truncated',
  'bad-gzip',
  'not-an-object',
  'missing-event-time',
  'bad-event-time',
  'conflicting-event-id',
] as const satisfies readonly QuarantineReason[];
const OBJECT_KINDS = [
  'events',
  'insights',
  'digest',
  'empty',
  'invalid',
] as const satisfies readonly ObjectKind[];
const OUTBOX_STATUSES = [
  'pending',
  'delivered',
  'dead',
  'withdrawn',
] as const satisfies readonly OutboxItem['status'][];
/** The integrity problem kinds, and files that could not be read. */
const DIGEST_PROBLEMS = [
  'missing',
  'modified',
  'unlisted',
  'chain-broken',
  'previous-missing',
  'gap',
  'signature-invalid',
  'signature-unverified',
  'unreadable',
] as const satisfies readonly (IntegrityProblemKind | 'unreadable')[];

/** Seconds from a minute to a month: CloudTrail delivers within ~5-15 minutes; backfills are older. */
const DELAY_BUCKETS = [60, 300, 600, 900, 1800, 3600, 3 * 3600, 12 * 3600, 86_400, 7 * 86_400, 30 * 86_400];

/** The instruments the pipeline increments; one set per process. */
export interface PipelineMetrics {
  registry: Registry;
  /** Trailwatch's version, exposed as trailwatch_build_info{version}. */
  version: string | null;
  objects: Counter;
  readErrors: Counter;
  events: Counter;
  duplicates: Counter;
  quarantined: Counter;
  deliveryDelay: Histogram;
  ruleEvaluations: Counter;
  ruleMatches: Counter;
  alertsWritten: Counter;
  notifications: Counter;
  digestFailures: Counter;
  pruned: Counter;
  queueMessages: Counter;
}

const each = <K extends string>(label: string, values: readonly K[]) => values.map((v) => ({ [label]: v }));

export function createPipelineMetrics(options: { version?: string } = {}): PipelineMetrics {
  const registry = createRegistry();
  const c = registry.counter.bind(registry);
  return {
    registry,
    version: options.version ?? null,
    objects: c(
      'trailwatch_objects_processed_total',
      'Source objects read and stored by this process, by what they turned out to be.',
      ['kind'],
      each('kind', OBJECT_KINDS),
    ),
    readErrors: c(
      'trailwatch_object_read_errors_total',
      'Source objects that could not be read (not checkpointed: the next run retries them).',
    ),
    events: c('trailwatch_events_ingested_total', 'Events stored by this process.'),
    duplicates: c(
      'trailwatch_events_duplicate_total',
      'Records skipped as re-deliveries of stored events (same eventID and recipient account).',
    ),
    quarantined: c(
      'trailwatch_records_quarantined_total',
      'Records and files quarantined by this process, by reason.',
      ['reason'],
      each('reason', QUARANTINE_REASONS),
    ),
    deliveryDelay: registry.histogram(
      'trailwatch_delivery_delay_seconds',
      'Per event read by this process: ingest time minus eventTime.',
      DELAY_BUCKETS,
    ),
    ruleEvaluations: c(
      'trailwatch_rule_evaluations_total',
      "Rule selections evaluated: per event, each rule the index offers for the event's name and source.",
    ),
    ruleMatches: c('trailwatch_rule_matches_total', 'Rule matches stored by this process.'),
    alertsWritten: c(
      'trailwatch_alerts_written_total',
      'Alerts written or updated by rule evaluation in this process, by severity.',
      ['severity'],
      each('severity', SEVERITIES),
    ),
    notifications: c(
      'trailwatch_notification_attempts_total',
      'Notification delivery attempts by this process: delivered, failed and retried later (retry), failed for good (dead).',
      ['outcome'],
      each('outcome', ['delivered', 'retry', 'dead']),
    ),
    digestFailures: c(
      'trailwatch_digest_verification_failures_total',
      'Problems found by digest verification run in this process, by kind.',
      ['kind'],
      each('kind', DIGEST_PROBLEMS),
    ),
    pruned: c('trailwatch_events_pruned_total', 'Events deleted by retention in this process.'),
    queueMessages: c(
      'trailwatch_queue_messages_total',
      'Notification messages handled by watch --sqs: removed after their objects were stored (or a test event), left for a retry, dead-lettered.',
      ['outcome'],
      each('outcome', ['removed', 'retried', 'dead-lettered']),
    ),
  };
}

/** What one stored batch did, as the ingest use case counts it. */
export interface BatchOutcome {
  objects: readonly ObjectRecord[];
  events: readonly CloudTrailEvent[];
  result: AppendResult;
  quarantined: Partial<Record<string, number>>;
  evaluations: number;
  matches: number;
  evaluation: EvaluationSummary | null;
  now: number;
}

export function recordBatch(m: PipelineMetrics, b: BatchOutcome): void {
  for (const o of b.objects) m.objects.inc({ kind: o.kind });
  m.events.inc({}, b.result.stored);
  m.duplicates.inc({}, b.result.duplicates);
  for (const [reason, n] of Object.entries(b.quarantined)) m.quarantined.inc({ reason }, n ?? 0);
  for (const e of b.events) m.deliveryDelay.observe(Math.max(0, (b.now - e.eventTime) / 1000));
  m.ruleEvaluations.inc({}, b.evaluations);
  m.ruleMatches.inc({}, b.matches);
  for (const [severity, n] of Object.entries(b.evaluation?.bySeverity ?? {}))
    m.alertsWritten.inc({ severity }, n);
}

/** One round of consuming the queue: dead-lettered messages are removed too, counted apart. */
export function recordConsume(
  m: PipelineMetrics | undefined,
  s: { removed: number; retried: number; deadLettered: number },
): void {
  m?.queueMessages.inc({ outcome: 'removed' }, s.removed - s.deadLettered);
  m?.queueMessages.inc({ outcome: 'retried' }, s.retried);
  m?.queueMessages.inc({ outcome: 'dead-lettered' }, s.deadLettered);
}

export function recordDispatch(m: PipelineMetrics | undefined, s: DispatchSummary): void {
  m?.notifications.inc({ outcome: 'delivered' }, s.delivered);
  m?.notifications.inc({ outcome: 'retry' }, s.retrying);
  m?.notifications.inc({ outcome: 'dead' }, s.dead);
}

const gauge = (
  name: string,
  help: string,
  samples: { labels?: Record<string, string>; value: number }[],
) => ({
  name,
  help,
  type: 'gauge' as const,
  samples: samples.map((s) => ({ suffix: '' as const, labels: s.labels ?? {}, value: s.value })),
});

/** Gauges about the stored state: the same whichever process scrapes it. */
export async function storeFamilies(store: Store, now: number): Promise<Family[]> {
  const stats = await store.stats();
  const counts = await store.operationalCounts();
  const alerts = new Map(counts.alerts.map((a) => [`${a.severity}/${a.status}`, a.count]));
  const newest = stats.newestEventTime;
  return [
    gauge('trailwatch_stored_events', 'Events in the store.', [{ value: stats.events }]),
    gauge('trailwatch_stored_objects', 'Source objects checkpointed in the store.', [
      { value: stats.objects },
    ]),
    gauge(
      'trailwatch_quarantine_entries',
      'Quarantined records and files in the store, by reason.',
      QUARANTINE_REASONS.map((reason) => ({
        labels: { reason },
        value: counts.quarantineByReason[reason] ?? 0,
      })),
    ),
    gauge(
      'trailwatch_newest_event_timestamp_seconds',
      'eventTime of the newest stored event (absent while the store is empty).',
      newest === null ? [] : [{ value: newest / 1000 }],
    ),
    gauge(
      'trailwatch_ingest_lag_seconds',
      'Now minus the eventTime of the newest stored event: how stale the data is (absent while empty).',
      newest === null ? [] : [{ value: Math.max(0, (now - newest) / 1000) }],
    ),
    gauge(
      'trailwatch_alerts',
      'Alerts in the store, by severity and triage status.',
      SEVERITIES.flatMap((severity) =>
        ALERT_STATUSES.map((status) => ({
          labels: { severity, status },
          value: alerts.get(`${severity}/${status}`) ?? 0,
        })),
      ),
    ),
    gauge(
      'trailwatch_outbox_notifications',
      'Notifications in the outbox, by status (dead ones failed for good).',
      OUTBOX_STATUSES.map((status) => ({ labels: { status }, value: counts.outboxByStatus[status] ?? 0 })),
    ),
  ];
}

/** The /metrics body: this process's counters, then the store's gauges. */
export async function renderMetrics(store: Store, metrics: PipelineMetrics, now: number): Promise<string> {
  const info = metrics.version
    ? [
        gauge('trailwatch_build_info', 'Always 1; the version of Trailwatch serving these metrics.', [
          { labels: { version: metrics.version }, value: 1 },
        ]),
      ]
    : [];
  return formatExposition([...info, ...metrics.registry.families(), ...(await storeFamilies(store, now))]);
}
