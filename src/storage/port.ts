// Store port: what the use cases need from a backend. Every adapter passes the contract suite.
import type { EventLocation, StoredEvent } from '../domain/event.js';
import type {
  Alert,
  AlertChange,
  AlertStatus,
  EventRef,
  KeyCount,
  KeySummary,
  MatchRow,
  OutboxItem,
  PendingKey,
  Suppression,
} from '../domain/alert.js';
import type { StoredCredential } from '../domain/identity.js';
import type { Severity } from '../domain/rule.js';
import type { AppendResult, IngestBatch, ObjectKind, QuarantineEntry } from '../domain/ingest.js';

/** Search filters. Every list is "any of"; different filters combine with AND. Times are epoch ms. */
export interface EventQuery {
  eventIds?: string[];
  eventNames?: string[];
  eventSources?: string[];
  readOnly?: boolean;
  /** Matches the user name, the role session name or the session issuer's name. */
  userNames?: string[];
  resourceTypes?: string[];
  resourceNames?: string[];
  accessKeyIds?: string[];
  /** Exact CloudTrail requestID (calls of one API request). */
  requestIds?: string[];
  /** Exact sharedEventID (the copies of one cross-account event). */
  sharedEventIds?: string[];
  accounts?: string[];
  regions?: string[];
  sourceIps?: string[];
  errorCodes?: string[];
  /** `failure`: any error code; `success`: none. */
  outcome?: 'success' | 'failure';
  identityTypes?: string[];
  /** `Management`, `Data`, `Insight`, `NetworkActivity` (case-insensitive). */
  eventCategories?: string[];
  /**
   * The resolved origin: an origin id (ARN) or name. Matches the identity's own events and every
   * event made with a key whose chain leads to it.
   */
  origins?: string[];
  since?: number;
  until?: number;
  /** Case-insensitive substring over every text field and JSON block of the record. */
  text?: string;
  /**
   * Keyset cursor: only events strictly after this one in newest-first (time, eventId, account)
   * order. The account breaks the tie between copies of one event id delivered to two accounts;
   * without it, (time, eventId) is the key.
   */
  before?: { time: number; eventId: string; account?: string };
  limit?: number;
}

/** How current each recipient account's data is (epoch ms). */
export interface AccountFreshness {
  account: string;
  newestEvent: number;
  /** When the newest object holding events of the account was ingested. */
  lastIngest: number;
}

export interface ObjectSummary {
  objectId: string;
  uri: string;
  kind: ObjectKind;
  records: number;
  quarantined: number;
  ingestedAt: number;
}

/** Fields that summaries and facets count values of. */
export type FacetField =
  | 'eventSource'
  | 'eventName'
  | 'sourceIpAddress'
  | 'recipientAccountId'
  | 'awsRegion'
  | 'errorCode'
  | 'accessKeyId'
  | 'userAgent'
  | 'identityType'
  | 'eventCategory';

export interface FacetCount {
  value: string | null;
  count: number;
}

export interface EventSummary {
  count: number;
  firstSeen: number | null;
  lastSeen: number | null;
  errors: number;
  /** The most frequent values of each requested field, most frequent first. */
  facets: Partial<Record<FacetField, FacetCount[]>>;
}

/** A histogram over the span of the events a query matches; no events, no span and no buckets. */
export interface Timeline {
  count: number;
  start: number | null;
  end: number | null;
  bucketMs: number;
  buckets: HistogramBucket[];
}

/** One bucket of a histogram: the events from `start` (epoch ms) up to the next bucket's start. */
export interface HistogramBucket {
  start: number;
  count: number;
  errors: number;
}

export interface AlertQuery {
  /** Alert ids (a unique prefix of one id works too, as in git). */
  ids?: string[];
  minSeverity?: Severity;
  ruleIds?: string[];
  statuses?: string[];
  accounts?: string[];
  /** The origin identity (name or id) behind the alert's first event, as resolved when it matched. */
  origins?: string[];
  since?: number;
  until?: number;
  limit?: number;
}

export interface StoredAlert extends Alert {
  status: string;
  createdAt: number;
  updatedAt: number;
  assignee: string | null;
  resolution: string | null;
}

/** A triage action on an alert; recorded in its history. */
export interface AlertUpdate {
  at: number;
  actor: string;
  action: AlertChange['action'];
  status?: AlertStatus;
  assignee?: string;
  resolution?: string;
  detail?: string;
}

export interface StoreStats {
  events: number;
  objects: number;
  quarantined: number;
  newestEventTime: number | null;
  oldestEventTime: number | null;
}

/** Counts of stored operational state, for metrics (all small: grouped by a handful of values). */
export interface OperationalCounts {
  /** Quarantine entries (records and whole files) by reason. */
  quarantineByReason: Record<string, number>;
  /** Alerts by severity and status (only the combinations that exist). */
  alerts: { severity: Severity; status: string; count: number }[];
  /** Outbox notifications by status. */
  outboxByStatus: Partial<Record<OutboxItem['status'], number>>;
}

/** What pruning removed (or, on a dry run, would remove). */
export interface PruneResult {
  /** Events whose eventTime is before the cutoff. */
  events: number;
  /**
   * Ledger rows of temporary credentials that expired before the cutoff, unless a kept event used
   * the key or a kept row descends from it. Rows without expiry (access keys) are always kept.
   */
  credentials: number;
  /**
   * Source objects all of whose stored events were pruned: their stored content is dropped (it only
   * served those events' raw records), their checkpoint row is kept so they are never read again.
   */
  objectsEmptied: number;
}

/** A span of event times in epoch ms, both ends included. */
export interface TimeSpan {
  from: number;
  to: number;
}

/**
 * How much of each event a search returns. `full`: every field. `list`: what a list shows and
 * attribution reads (LIST_FIELDS in domain/event-json) — times, names, outcome, place, the whole
 * actor, the resources' ARNs (their types and accounts may be null) and the request parameters;
 * the response elements of credential calls (CREDENTIAL_CALLS) only, which the ledger reads. A
 * store may return more; the fields it leaves out are null or empty.
 */
export type EventView = 'full' | 'list';

export interface Store {
  /** The identities among `identities` whose objects are already stored (the checkpoints). */
  storedObjects(identities: readonly string[]): Promise<Set<string>>;
  /** Appends events, quarantine entries and object checkpoints atomically; skips duplicate events. */
  appendBatch(batch: IngestBatch): Promise<AppendResult>;
  /**
   * The events a query matches, newest first. With view `list` a store may leave out what a list
   * of events does not show (EventView), and read less for it.
   */
  searchEvents(query: EventQuery, view?: EventView): Promise<StoredEvent[]>;
  /**
   * Where every event a query matches came from, in no order (its limit and cursor are ignored, so
   * callers bound it by its filters): a small row each, for reading the records themselves back.
   */
  locateEvents(query: EventQuery): Promise<EventLocation[]>;
  /** Counts, time span and top values of the events a query matches (its limit is ignored). */
  summarizeEvents(query: EventQuery, facets: readonly FacetField[], top?: number): Promise<EventSummary>;
  /**
   * The events a query matches counted in `buckets` consecutive buckets of `bucketMs` from `start`
   * (epoch ms), all of them returned, empty ones with zero counts. One pass over the events.
   */
  histogram(query: EventQuery, start: number, bucketMs: number, buckets: number): Promise<HistogramBucket[]>;
  /**
   * The explorer's time chart: the events a query matches over their whole span (from `since` or
   * the first, to `until` or the last) in `buckets` buckets of equal width.
   */
  timeline(query: EventQuery, buckets: number): Promise<Timeline>;
  /** Ledger rows by issued access key. */
  credentials(keys: readonly string[]): Promise<Map<string, StoredCredential>>;
  /** Ledger rows whose caller used one of these keys (the sessions they created). */
  credentialChildren(parentKeys: readonly string[]): Promise<StoredCredential[]>;
  /** Ledger rows matching an access key, an origin id or name, a target ARN or a session name. */
  findCredentials(term: string, limit?: number): Promise<StoredCredential[]>;
  /** Alert keys with matches not yet evaluated (after a crash, too), with their time span. */
  pendingAlertKeys(limit: number): Promise<PendingKey[]>;
  /**
   * Per alert key: distinct events and distinct values (cheaper than a summary; thresholds first).
   * With `within`, the caller promises that every match of these keys lies in one of those spans
   * (windowed keys): the store may read only those times.
   */
  keyCounts(alertKeys: readonly string[], within?: readonly TimeSpan[]): Promise<Map<string, KeyCount>>;
  /**
   * Per alert key: the time of its earliest match (new-value keys first: it decides them). With
   * `before`, only matches earlier than it count, and a key with none is left out: whether a key was
   * seen before its learning period ended is all evaluation asks, and the store may then read only
   * those times instead of every match of the key.
   */
  keyFirstSeen(alertKeys: readonly string[], before?: number): Promise<Map<string, number>>;
  /** Per alert key: count, distinct values, first match, first event ids, highest severity (`within`: as keyCounts). */
  keySummaries(alertKeys: readonly string[], within?: readonly TimeSpan[]): Promise<Map<string, KeySummary>>;
  /** The matches of one alert key in a time range (for sequence rules), of one step if given. */
  matchesBetween(alertKey: string, from: number, to: number, step?: string): Promise<MatchRow[]>;
  /** The stored matches of these events (every rule, every step). */
  eventMatches(events: readonly EventRef[]): Promise<MatchRow[]>;
  /**
   * Replaces the matches of these events with `matches` (their matches under a changed attribution):
   * the old ones are removed, the new ones stored unevaluated, and every alert key that lost or
   * gained a match and still has matches becomes pending. Open and suppressed alerts of keys left
   * without any match are removed (triaged ones are kept, as in saveAlerts).
   */
  replaceMatches(events: readonly EventRef[], matches: readonly MatchRow[]): Promise<void>;
  /**
   * Writes the alerts evaluated from these keys and marks the keys' matches evaluated, atomically.
   * Open alerts of `replaceKeys` that evaluation no longer produces are removed (results do not
   * depend on delivery order); triaged ones are kept.
   */
  saveAlerts(
    alerts: readonly Alert[],
    evaluatedKeys: readonly string[],
    replaceKeys: readonly string[],
    outbox?: readonly OutboxItem[],
  ): Promise<void>;
  /** Adds notifications (an id already present is left as it is). */
  enqueue(items: readonly OutboxItem[]): Promise<void>;
  /** Pending notifications due at `now`, oldest first. */
  dueNotifications(now: number, limit: number): Promise<OutboxItem[]>;
  /** Records the outcome of one delivery attempt. */
  recordDelivery(
    id: string,
    outcome: {
      status: OutboxItem['status'];
      attempts: number;
      nextAttemptAt: number;
      error: string | null;
      at: number;
    },
  ): Promise<void>;
  /** Notifications with these statuses, newest first (operators look at pending and dead ones). */
  notifications(statuses: readonly OutboxItem['status'][], limit: number): Promise<OutboxItem[]>;
  alerts(query: AlertQuery): Promise<StoredAlert[]>;
  /** Applies a triage action and records it; null when no alert has that id. */
  changeAlert(id: string, update: AlertUpdate): Promise<StoredAlert | null>;
  alertHistory(id: string): Promise<AlertChange[]>;
  addSuppression(s: Suppression): Promise<void>;
  /** Suppressions not removed (expired ones included: they no longer apply, but stay listed). */
  suppressions(): Promise<Suppression[]>;
  /** Removes a suppression and makes the alerts it covered pending again; false if unknown. */
  removeSuppression(id: string, at: number): Promise<boolean>;
  /** The time of the oldest stored event (new-value rules learn from there). */
  dataStart(): Promise<number | null>;
  /** The stored (gzip) bytes of source objects, from which raw records are decoded again. */
  objectContents(objectIds: readonly string[]): Promise<Map<string, { uri: string; content: Uint8Array }>>;
  quarantine(limit?: number): Promise<(QuarantineEntry & { uri: string })[]>;
  objects(limit?: number): Promise<ObjectSummary[]>;
  stats(): Promise<StoreStats>;
  /** Per recipient account, its newest event and its last ingest, by account. */
  freshness(): Promise<AccountFreshness[]>;
  /** Quarantine by reason, alerts by severity and status, outbox by status (for /metrics). */
  operationalCounts(): Promise<OperationalCounts>;
  /**
   * Retention: deletes events with eventTime < `before` (epoch ms) in bulk, with the ledger rows and
   * object contents only they needed (see PruneResult). Alerts, their history, rule matches (the state
   * of stateful rules), quarantine, outbox and object checkpoints are kept. Atomic. With `dryRun`,
   * returns the same counts and changes nothing.
   */
  pruneEventsBefore(before: number, options?: { dryRun?: boolean }): Promise<PruneResult>;
  close(): Promise<void>;
}

/** A store that cannot be opened or used for a reason a user can fix (locked file, bad path). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
