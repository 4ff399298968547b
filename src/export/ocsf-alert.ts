// An alert as an OCSF Detection Finding (2004): the rule as the analytic, ATT&CK, triggering events, triage state.
import type { Alert } from '../domain/alert.js';
import type { JsonObject } from '../domain/json.js';
import type { Severity } from '../domain/rule.js';
import { cloudOf, compact, OCSF_VERSION, originEnrichment, PRODUCT, timeDt } from './ocsf-common.js';

/** What the export needs of an alert: the stored alert with its rule's metadata (the `alerts` view). */
export interface OcsfAlertInput extends Alert {
  status: string;
  createdAt: number;
  updatedAt: number;
  assignee: string | null;
  resolution: string | null;
  tactics: string[];
  techniques: string[];
  runbook: string;
  ruleTitle: string;
}

const SEVERITY: Record<Severity, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};
/** Triage status → finding status (1 New, 2 In Progress, 3 Suppressed, 4 Resolved). */
const STATUS: Record<string, [number, string]> = {
  open: [1, 'New'],
  acknowledged: [2, 'In Progress'],
  suppressed: [3, 'Suppressed'],
  resolved: [4, 'Resolved'],
};
/** The finding's latest activity: created while new, updated in triage, closed when resolved. */
const ACTIVITY: Record<string, [number, string]> = {
  open: [1, 'Create'],
  acknowledged: [2, 'Update'],
  suppressed: [2, 'Update'],
  resolved: [3, 'Close'],
};

export function alertToOcsf(a: OcsfAlertInput): JsonObject {
  const [severityId, severity] = SEVERITY[a.severity];
  const [statusId, status] = STATUS[a.status] ?? [99, 'Other'];
  const [activityId, activity] = ACTIVITY[a.status] ?? [99, 'Other'];
  const finding = {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: activity,
    type_uid: 2004 * 100 + activityId,
    type_name: `Detection Finding: ${activity}`,
    severity_id: severityId,
    severity,
    status_id: statusId,
    status,
    time: a.updatedAt,
    time_dt: timeDt(a.updatedAt),
    count: a.count,
    message: a.title,
    metadata: { version: OCSF_VERSION, uid: a.id, product: PRODUCT, profiles: ['cloud', 'datetime'] },
    finding_info: {
      uid: a.id,
      title: a.title,
      desc: a.ruleTitle,
      types: [a.ruleId],
      created_time: a.createdAt,
      first_seen_time: a.firstSeen,
      first_seen_time_dt: timeDt(a.firstSeen),
      last_seen_time: a.lastSeen,
      last_seen_time_dt: timeDt(a.lastSeen),
      modified_time: a.updatedAt,
      analytic: { uid: a.ruleId, name: a.ruleTitle, type: 'Rule', type_id: 1 },
      attacks: [
        ...a.techniques.map((t) => ({ technique: { uid: t } })),
        ...a.tactics.map((t) => ({ tactic: { uid: t } })),
      ],
      related_events: a.eventIds.map((uid) => ({ uid, product_uid: 'CloudTrail' })),
    },
    cloud: cloudOf(a.account, a.region),
    evidences: [{ actor: { user: { uid: a.actorArn } }, src_endpoint: { ip: a.sourceIp } }],
    remediation: a.runbook ? { desc: a.runbook } : null,
    enrichments: [originEnrichment(a.actorArn, a.origin)],
    unmapped: {
      groupKey: a.groupKey,
      assignee: a.assignee,
      resolution: a.resolution,
      suppressedBy: a.suppressedBy ?? null,
    },
  };
  return (compact(finding) ?? {}) as JsonObject;
}
