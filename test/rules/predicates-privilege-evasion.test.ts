// The predicates of the privilege-escalation and defense-evasion rules, on small request shapes.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import {
  selectorsDropManagementWrites,
  trustPolicyTrustsCaller,
} from '../../src/rules/predicates/privilege-evasion.js';

const selectors = (requestParameters: JsonObject): boolean =>
  selectorsDropManagementWrites.test({ eventName: 'PutEventSelectors', requestParameters });

describe('event-selectors-drop-management-writes', () => {
  it('holds when management events are excluded from every basic selector', () => {
    expect(
      selectors({
        trailName: 't',
        eventSelectors: [{ includeManagementEvents: false, readWriteType: 'All', dataResources: [] }],
      }),
    ).toBe(true);
  });

  it('holds when only read-only management events are kept', () => {
    expect(
      selectors({ eventSelectors: [{ includeManagementEvents: true, readWriteType: 'ReadOnly' }] }),
    ).toBe(true);
  });

  it('does not hold when one selector still logs management writes', () => {
    expect(
      selectors({
        eventSelectors: [
          {
            includeManagementEvents: false,
            readWriteType: 'All',
            dataResources: [{ type: 'AWS::S3::Object' }],
          },
          { includeManagementEvents: true, readWriteType: 'WriteOnly' },
        ],
      }),
    ).toBe(false);
    expect(selectors({ eventSelectors: [{ readWriteType: 'All' }] })).toBe(false);
  });

  it('holds when advanced selectors select data events only, or management reads only', () => {
    const data = { name: 'data', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }] };
    const reads = {
      name: 'reads',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Management'] },
        { field: 'readOnly', equals: ['true'] },
      ],
    };
    expect(selectors({ advancedEventSelectors: [data] })).toBe(true);
    expect(selectors({ advancedEventSelectors: [data, reads] })).toBe(true);
  });

  it('does not hold when an advanced selector keeps management writes', () => {
    const mgmt = { name: 'mgmt', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] };
    expect(selectors({ advancedEventSelectors: [mgmt] })).toBe(false);
  });

  it('holds for an explicit empty selector list and not for a request without selectors', () => {
    expect(selectors({ eventSelectors: [] })).toBe(true);
    expect(selectors({ trailName: 't' })).toBe(false);
    expect(selectorsDropManagementWrites.test({ eventName: 'PutEventSelectors' })).toBe(false);
  });
});

const trust = (userIdentity: JsonObject, principal: JsonObject): boolean =>
  trustPolicyTrustsCaller.test({
    userIdentity,
    requestParameters: {
      roleName: 'admin',
      policyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }],
      }),
    },
  });

describe('trust-policy-trusts-caller', () => {
  const user = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', userName: 'mallory' };
  const session = {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/dev/mallory',
    sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/dev' } },
  };

  it('holds when the trust policy names the calling user', () => {
    expect(trust(user, { AWS: 'arn:aws:iam::111122223333:user/mallory' })).toBe(true);
    expect(trust(user, { AWS: ['arn:aws:iam::111122223333:user/bob', user.arn] })).toBe(true);
  });

  it("holds when the trust policy names the caller's role or session", () => {
    expect(trust(session, { AWS: 'arn:aws:iam::111122223333:role/dev' })).toBe(true);
    expect(trust(session, { AWS: session.arn })).toBe(true);
  });

  it('does not hold for other principals, services or a Deny', () => {
    expect(trust(user, { AWS: 'arn:aws:iam::111122223333:user/bob' })).toBe(false);
    expect(trust(user, { Service: 'ec2.amazonaws.com' })).toBe(false);
    expect(
      trustPolicyTrustsCaller.test({
        userIdentity: user,
        requestParameters: {
          policyDocument: { Statement: [{ Effect: 'Deny', Principal: { AWS: user.arn }, Action: '*' }] },
        },
      }),
    ).toBe(false);
  });
});
