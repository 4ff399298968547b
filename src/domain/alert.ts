// Matches (one event meeting one rule) and the alerts evaluation derives from them.
import type { Origin } from './identity.js';
import type { Severity } from './rule.js';

/** An alert lists at most this many of its events (its count says how many there were). */
export const MAX_EVENT_IDS = 100;

export interface MatchRow {
  ruleId: string;
  /** Which alert the match counts toward: derived from rule, group and window (or value). */
  alertKey: string;
  eventId: string;
  recipientAccountId: string;
  eventTime: number;
  groupKey: string;
  value: string | null;
  step: string | null;
  title: string;
  severity: Severity;
  region: string | null;
  sourceIp: string | null;
  actorArn: string | null;
  origin: Origin;
}

/** One stored event, by the pair that identifies it in the store. */
export interface EventRef {
  eventId: string;
  recipientAccountId: string;
  /** The event's time, when the caller knows it: a store may read only the rows near it. */
  eventTime?: number;
}

export interface Alert {
  id: string;
  ruleId: string;
  alertKey: string;
  title: string;
  severity: Severity;
  groupKey: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** The first 100 triggering events (by time); `count` says how many there were. */
  eventIds: string[];
  account: string;
  region: string | null;
  sourceIp: string | null;
  actorArn: string | null;
  origin: Origin;
  /** The suppression that covers this alert, if any: it is kept with status `suppressed`. */
  suppressedBy?: string | null;
}

/** What evaluation needs of the matches of one alert key, other than for sequences. */
export interface KeySummary {
  /** The earliest match (by time, then event id): it names the alert. */
  first: MatchRow;
  lastSeen: number;
  /** Distinct events, and distinct values (threshold `distinct`). */
  count: number;
  distinctValues: number;
  /** The first distinct events by time, at most 100. */
  eventIds: string[];
  severity: Severity;
}

/** How many distinct events and values the matches of one alert key have. */
export type KeyCount = Pick<KeySummary, 'count' | 'distinctValues'>;

/** An alert key with matches not evaluated yet, and the time span of those matches. */
export interface PendingKey {
  ruleId: string;
  alertKey: string;
  from: number;
  to: number;
}

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'suppressed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const RESOLUTIONS = [
  'true-positive',
  'benign',
  'false-positive',
  'testing',
  'duplicate',
  'other',
] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** One change in an alert's life: who did what, when. */
export interface AlertChange {
  alertId: string;
  at: number;
  actor: string;
  action: 'created' | 'acknowledge' | 'resolve' | 'reopen' | 'assign' | 'comment' | 'suppress';
  fromStatus: AlertStatus | null;
  toStatus: AlertStatus | null;
  detail: string | null;
}

/** A suppression: alerts of a rule (or any) whose fields match are kept but marked suppressed. */
export interface Suppression {
  id: string;
  ruleId: string | null;
  /** Alert fields to values (`field|modifier` keys as in rules): `account`, `actor.arn`, `origin.name`, … */
  match: Record<string, string | string[]>;
  reason: string;
  author: string;
  createdAt: number;
  expiresAt: number | null;
}

/** One notification to deliver: written with its alert, delivered by the dispatcher. */
export interface OutboxItem {
  /** Stable: derived from the alert and the destination, so an alert notifies a destination once. */
  id: string;
  alertId: string;
  destination: string;
  kind: 'new' | 'test';
  /** The notification as the sink receives it (JSON). */
  payload: string;
  /** `withdrawn`: not sent, as its alert was suppressed before it was delivered. */
  status: 'pending' | 'delivered' | 'dead' | 'withdrawn';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}
