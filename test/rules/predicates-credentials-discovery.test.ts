// The predicates of the credential-access, discovery, lateral-movement and collection rules.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import {
  accountOfArn,
  assumesRoleInAnotherAccount,
} from '../../src/rules/predicates/credentials-discovery.js';
import { PREDICATES } from '../../src/rules/predicates/index.js';

const assume = (callerAccount: string | null, roleArn: string | null): JsonObject => ({
  eventName: 'AssumeRole',
  userIdentity: callerAccount === null ? { type: 'IAMUser' } : { type: 'IAMUser', accountId: callerAccount },
  requestParameters: roleArn === null ? null : { roleArn, roleSessionName: 's' },
});

describe('accountOfArn', () => {
  it('reads the account of IAM and STS ARNs in any partition', () => {
    expect(accountOfArn('arn:aws:iam::111122223333:role/admin')).toBe('111122223333');
    expect(accountOfArn('arn:aws-us-gov:iam::444455556666:role/x/y')).toBe('444455556666');
    expect(accountOfArn('arn:aws:sts::111122223333:assumed-role/r/s')).toBe('111122223333');
  });

  it('is null for ARNs without an account and for other text', () => {
    expect(accountOfArn('arn:aws:s3:::bucket')).toBeNull();
    expect(accountOfArn('admin')).toBeNull();
    expect(accountOfArn('')).toBeNull();
  });
});

describe('assumes-role-in-another-account', () => {
  it('is registered under its name', () => {
    expect(PREDICATES.get('assumes-role-in-another-account')).toBe(assumesRoleInAnotherAccount);
  });

  it('holds when the role lives in another account than the caller', () => {
    expect(
      assumesRoleInAnotherAccount.test(assume('111122223333', 'arn:aws:iam::444455556666:role/ops')),
    ).toBe(true);
  });

  it('does not hold for a role in the caller account', () => {
    expect(
      assumesRoleInAnotherAccount.test(assume('111122223333', 'arn:aws:iam::111122223333:role/ops')),
    ).toBe(false);
  });

  it('does not hold when either account is unknown', () => {
    expect(assumesRoleInAnotherAccount.test(assume(null, 'arn:aws:iam::444455556666:role/ops'))).toBe(false);
    expect(assumesRoleInAnotherAccount.test(assume('111122223333', null))).toBe(false);
    expect(assumesRoleInAnotherAccount.test(assume('111122223333', 'ops'))).toBe(false);
  });
});
