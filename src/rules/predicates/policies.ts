// Predicates over IAM-style policy documents found in a request (bucket, key, role trust, resource policies).
import { isJsonObject, jsonText, type Json, type JsonObject } from '../../domain/json.js';
import type { Predicate } from './types.js';

const POLICY_KEYS = [
  'bucketPolicy',
  'policy',
  'policyDocument',
  'assumeRolePolicyDocument',
  'keyPolicy',
  'resourcePolicy',
  'policyText',
];

/** Conditions that limit who a wildcard principal really is. */
const RESTRICTING_KEYS = [
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceorgid',
  'aws:principalorgpaths',
  'aws:sourceip',
];

function parsed(value: Json | undefined): JsonObject | null {
  if (isJsonObject(value)) return value;
  if (typeof value !== 'string') return null;
  try {
    const v = JSON.parse(value) as Json;
    return isJsonObject(v) ? v : null;
  } catch {
    return null;
  }
}

function list(value: Json | undefined): Json[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function allowStatements(record: JsonObject): JsonObject[] {
  const req = isJsonObject(record.requestParameters) ? record.requestParameters : {};
  const out: JsonObject[] = [];
  for (const key of POLICY_KEYS) {
    const doc = parsed(req[key]);
    if (!doc) continue;
    for (const s of list(doc.Statement))
      if (isJsonObject(s) && jsonText(s.Effect).toLowerCase() === 'allow') out.push(s);
  }
  return out;
}

/** Principal values of a statement: "*", ARNs, account ids, service names. */
function principals(s: JsonObject): string[] {
  const p = s.Principal;
  if (typeof p === 'string') return [p];
  if (!isJsonObject(p)) return [];
  return Object.values(p).flatMap((v) => list(v).map(jsonText));
}

function isRestricted(s: JsonObject): boolean {
  if (!isJsonObject(s.Condition)) return false;
  return Object.values(s.Condition).some(
    (block) =>
      isJsonObject(block) && Object.keys(block).some((k) => RESTRICTING_KEYS.includes(k.toLowerCase())),
  );
}

function accountOf(principal: string): string | null {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:iam::(\d{12}):/.exec(principal)?.[1] ?? null;
}

export const grantsPublicAccess: Predicate = {
  name: 'policy-grants-public-access',
  description:
    'A policy in the request allows Principal "*" (or AWS "*") without a condition that limits it to an account, organisation, VPC or source.',
  test: (record) =>
    allowStatements(record).some((s) => principals(s).includes('*') && !isRestricted(s)) ||
    (isJsonObject(record.requestParameters) && record.requestParameters.principal === '*'),
};

export const grantsForeignAccount: Predicate = {
  name: 'policy-grants-foreign-account',
  description: 'A policy in the request allows a principal of another AWS account than the one it is in.',
  test: (record) => {
    const own = typeof record.recipientAccountId === 'string' ? record.recipientAccountId : '';
    const req = isJsonObject(record.requestParameters) ? record.requestParameters : {};
    const direct = typeof req.principal === 'string' ? [req.principal] : [];
    const all = [...allowStatements(record).flatMap(principals), ...direct];
    return all.some((p) => {
      const account = accountOf(p);
      return account !== null && account !== own;
    });
  },
};

export const grantsAdmin: Predicate = {
  name: 'policy-grants-admin',
  description: 'A policy in the request allows every action ("*") on every resource.',
  test: (record) =>
    allowStatements(record).some(
      (s) => list(s.Action).some((a) => a === '*' || a === '*:*') && list(s.Resource).some((r) => r === '*'),
    ),
};
