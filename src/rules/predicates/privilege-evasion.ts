// Predicates added for the rules of this group of tactics; each one is unit-tested.
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { allowStatements } from './policies.js';
import type { Predicate } from './types.js';

function list(value: Json | undefined): Json[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function request(record: JsonObject): JsonObject {
  return isJsonObject(record.requestParameters) ? record.requestParameters : {};
}

function lower(value: Json | undefined): string {
  return typeof value === 'string' ? value.toLowerCase() : typeof value === 'boolean' ? String(value) : '';
}

/** A basic selector logs management writes unless it excludes management events or keeps reads only. */
function basicLogsWrites(selector: JsonObject): boolean {
  if (selector.includeManagementEvents === false || lower(selector.includeManagementEvents) === 'false')
    return false;
  const rw = lower(selector.readWriteType);
  return rw === '' || rw === 'all' || rw === 'writeonly';
}

/** The values a field selector of an advanced selector compares `field` with (`equals`). */
function equalsOf(selector: JsonObject, field: string): string[] | null {
  for (const fs of list(selector.fieldSelectors)) {
    if (!isJsonObject(fs) || lower(fs.field) !== field.toLowerCase()) continue;
    return list(fs.equals ?? fs.Equals).map((v) => lower(v));
  }
  return null;
}

/** An advanced selector logs management writes if it selects the Management category and not reads only. */
function advancedLogsWrites(selector: JsonObject): boolean {
  const category = equalsOf(selector, 'eventCategory');
  if (!category?.includes('management')) return false;
  const readOnly = equalsOf(selector, 'readOnly');
  return !(readOnly && readOnly.length > 0 && readOnly.every((v) => v === 'true'));
}

export const selectorsDropManagementWrites: Predicate = {
  name: 'event-selectors-drop-management-writes',
  description:
    'A PutEventSelectors request whose basic or advanced selectors leave the trail without management write events (management events excluded, or read-only kept).',
  test: (record) => {
    const req = request(record);
    const basic = list(req.eventSelectors).filter(isJsonObject);
    const advanced = list(req.advancedEventSelectors).filter(isJsonObject);
    if (!basic.length && !advanced.length) {
      // An explicit empty list removes every selector: the trail logs nothing.
      return Array.isArray(req.eventSelectors) || Array.isArray(req.advancedEventSelectors);
    }
    return !basic.some(basicLogsWrites) && !advanced.some(advancedLogsWrites);
  },
};

/** The ARNs a caller is known by: its own ARN and, for a role session, the role that issued it. */
function callerArns(record: JsonObject): string[] {
  const ui = isJsonObject(record.userIdentity) ? record.userIdentity : {};
  const ctx = isJsonObject(ui.sessionContext) ? ui.sessionContext : {};
  const issuer = isJsonObject(ctx.sessionIssuer) ? ctx.sessionIssuer : {};
  return [ui.arn, issuer.arn].filter((a): a is string => typeof a === 'string' && a.length > 0);
}

function principalArns(statement: JsonObject): string[] {
  const p = statement.Principal;
  if (!isJsonObject(p)) return [];
  return list(p.AWS).filter((v): v is string => typeof v === 'string');
}

export const trustPolicyTrustsCaller: Predicate = {
  name: 'trust-policy-trusts-caller',
  description:
    "A role trust policy in the request allows the caller itself (its user ARN, its role, or its role session's ARN) to assume the role.",
  test: (record) => {
    const mine = callerArns(record);
    if (!mine.length) return false;
    return allowStatements(record).some((s) => principalArns(s).some((p) => mine.includes(p)));
  },
};

export const PREDICATES: Predicate[] = [selectorsDropManagementWrites, trustPolicyTrustsCaller];
