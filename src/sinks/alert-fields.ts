// The alert fields sinks show, read from an alert's JSON (alertToJson's shape) without trusting its types.
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';

export interface AlertFields {
  id: string;
  ruleId: string;
  title: string;
  severity: string;
  account: string | null;
  region: string | null;
  sourceIp: string | null;
  actorArn: string | null;
  originName: string | null;
  originType: string | null;
  count: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
  techniques: string[];
  runbook: string;
}

function text(value: Json | undefined): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

export function alertFields(alert: JsonObject): AlertFields {
  const actor = isJsonObject(alert.actor) ? alert.actor : {};
  const origin = isJsonObject(actor.origin) ? actor.origin : {};
  const techniques = Array.isArray(alert.techniques) ? alert.techniques : [];
  return {
    id: text(alert.id) ?? 'unknown',
    ruleId: text(alert.ruleId) ?? 'unknown',
    title: text(alert.title) ?? '(untitled alert)',
    severity: text(alert.severity) ?? 'unknown',
    account: text(alert.account),
    region: text(alert.region),
    sourceIp: text(alert.sourceIp),
    actorArn: text(actor.arn),
    originName: text(origin.name),
    originType: text(origin.type),
    count: typeof alert.count === 'number' ? alert.count : null,
    firstSeen: text(alert.firstSeen),
    lastSeen: text(alert.lastSeen),
    techniques: techniques.filter((t): t is string => typeof t === 'string'),
    runbook: text(alert.runbook) ?? '',
  };
}

/** `alice (IAMUser)`, or null when the origin is unknown. */
export function originText(fields: AlertFields): string | null {
  if (fields.originName === null) return null;
  return fields.originType === null ? fields.originName : `${fields.originName} (${fields.originType})`;
}
