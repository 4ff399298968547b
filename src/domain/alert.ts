// Matches (one event meeting one rule) and the alerts evaluation derives from them.
import type { Origin } from './identity.js';
import type { Severity } from './rule.js';

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
}
