// The session-name policy on AssumeRole events, and STS expiration formats.
import { describe, expect, it } from 'vitest';
import type { Resolution } from '../../src/domain/identity.js';
import { parseExpiration } from '../../src/identity/expiration.js';
import { resolveActor } from '../../src/identity/resolve.js';
import {
  checkSessionName,
  parseSessionNamePolicy,
  SessionNamePolicyError,
} from '../../src/identity/session-name.js';
import { iamUser, roleSession, stsCall } from '../helpers/identity-records.js';
import { event } from '../helpers/records.js';

const A = '111111111111';

function check(
  caller: Parameters<typeof stsCall>[1],
  session: string,
  policy = 'caller',
  origin?: Partial<Resolution['origin']>,
) {
  const e = event(stsCall('AssumeRole', caller, 'ASIAX', { account: A, role: 'Admin', session }));
  const base = resolveActor(e.actor, undefined);
  const resolution = origin ? { ...base, origin: { ...base.origin, ...origin } } : base;
  return checkSessionName(e, resolution, parseSessionNamePolicy(policy));
}

describe('session-name policy', () => {
  it('accepts a session named after the calling user and flags one that hides the caller', () => {
    const alice = iamUser(A, 'alice', 'AKIAALICE');
    expect(check(alice, 'alice')?.verdict).toBe('identifies-caller');
    expect(check(alice, 'ALICE')?.verdict).toBe('identifies-caller');
    expect(check(alice, 'alice@example.com')?.verdict).toBe('identifies-caller');
    expect(check(alice, 'session1')).toEqual({
      policy: 'caller',
      verdict: 'hides-caller',
      sessionName: 'session1',
      expected: ['alice'],
    });
  });

  it('checks a role session against the origin behind it', () => {
    const session = roleSession(A, 'Jump', 'x', 'ASIAJ');
    expect(check(session, 'carol@example.com', 'caller', { name: 'carol@example.com' })?.verdict).toBe(
      'identifies-caller',
    );
    expect(check(session, 'deploy', 'caller', { name: 'carol@example.com' })?.verdict).toBe('hides-caller');
  });

  it('supports e-mail and pattern policies', () => {
    const alice = iamUser(A, 'alice', 'AKIAALICE');
    expect(check(alice, 'alice@example.com', 'email')?.verdict).toBe('identifies-caller');
    expect(check(alice, 'alice', 'email')?.verdict).toBe('hides-caller');
    expect(check(alice, 'ci-1234', 'pattern:ci-[0-9]+')?.verdict).toBe('identifies-caller');
    expect(check(alice, 'ci-1234x', 'pattern:ci-[0-9]+')?.verdict).toBe('hides-caller');
    expect(() => parseSessionNamePolicy('pattern:(')).toThrow(SessionNamePolicyError);
    expect(() => parseSessionNamePolicy('strict')).toThrow(/expected caller, email or pattern/);
  });

  it('does not apply to services, role owners copies, or other events', () => {
    expect(check({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, 'i-0abc')?.verdict).toBe(
      'not-applicable',
    );
    expect(check({ type: 'AWSAccount', accountId: A, principalId: 'AIDA' }, 'x')?.verdict).toBe(
      'not-applicable',
    );
    const other = event({ eventName: 'ListBuckets' });
    expect(checkSessionName(other, resolveActor(other.actor, undefined))).toBeNull();
  });
});

describe('parseExpiration', () => {
  it('reads ISO and the US locale form as UTC', () => {
    expect(parseExpiration('Jul 18, 2014 4:07:39 PM')).toBe(Date.parse('2014-07-18T16:07:39Z'));
    expect(parseExpiration('Jan 1, 2024 12:00:00 AM')).toBe(Date.parse('2024-01-01T00:00:00Z'));
    expect(parseExpiration('2024-05-01T13:00:00Z')).toBe(Date.parse('2024-05-01T13:00:00Z'));
    expect(parseExpiration('soon')).toBeNull();
    expect(parseExpiration(null)).toBeNull();
  });
});
