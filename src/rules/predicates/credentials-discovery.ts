// Predicates of the credential-access, discovery, lateral-movement and collection rules.
import type { JsonObject } from '../../domain/json.js';
import { textAt } from '../fields.js';
import type { Predicate } from './types.js';

/** The account id in an IAM or STS ARN (`arn:aws:iam::123456789012:role/x`), or null. */
export function accountOfArn(arn: string): string | null {
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(arn.trim())?.[1] ?? null;
}

/**
 * The account that owns the role being assumed differs from the caller's account. Both must be known:
 * a role ARN without an account (or a caller without one) says nothing.
 */
export const assumesRoleInAnotherAccount: Predicate = {
  name: 'assumes-role-in-another-account',
  description:
    "requestParameters.roleArn names a role in an account other than the caller's (userIdentity.accountId).",
  test: (record: JsonObject) => {
    const roleAccount = accountOfArn(textAt(record, 'requestParameters.roleArn'));
    const callerAccount = textAt(record, 'userIdentity.accountId').trim();
    return roleAccount !== null && /^\d{12}$/.test(callerAccount) && roleAccount !== callerAccount;
  },
};

export const PREDICATES: Predicate[] = [assumesRoleInAnotherAccount];
