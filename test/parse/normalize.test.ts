// Normalize: typed events from every odd record CloudTrail produces; quarantine only without a time.
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../src/parse/normalize.js';
import { parseEventTime, parseTimeArg } from '../../src/parse/time.js';
import { record } from '../helpers/records.js';

const ctx = { objectId: 'o', index: 3, keyAccount: '999999999999' };
const ok = (over: Record<string, unknown>) => {
  const r = normalizeRecord(record(over), ctx);
  if (!r.ok) throw new Error(r.detail);
  return r.event;
};

describe('normalizeRecord', () => {
  it('flattens userIdentity into the actor', () => {
    const e = ok({});
    expect(e.actor).toMatchObject({
      type: 'AssumedRole',
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLEKEY000001',
      sessionName: 'alice@example.com',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/AdminRole',
      sessionIssuerUserName: 'AdminRole',
      mfaAuthenticated: true,
    });
    expect(e.eventTime).toBe(Date.parse('2024-05-01T12:00:00Z'));
    expect(e.origin).toEqual({ objectId: 'o', index: 3 });
    expect(e.notes).toEqual([]);
  });

  it('reads Identity Center, source identity, invokedBy and federated users', () => {
    const e = ok({
      userIdentity: {
        type: 'IdentityCenterUser',
        accountId: '111122223333',
        onBehalfOf: {
          userId: 'u-123',
          identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-1',
        },
        credentialId: 'cred-1',
        invokedBy: 'sso.amazonaws.com',
        sessionContext: { sourceIdentity: 'alice' },
      },
    });
    expect(e.actor).toMatchObject({
      onBehalfOfUserId: 'u-123',
      credentialId: 'cred-1',
      invokedBy: 'sso.amazonaws.com',
      sourceIdentity: 'alice',
    });
    const f = ok({
      userIdentity: { type: 'FederatedUser', arn: 'arn:aws:sts::111122223333:federated-user/carol' },
    });
    expect(f.actor.sessionName).toBe('carol');
  });

  it('survives a missing userIdentity, a missing eventID and a missing recipient account', () => {
    const e = ok({ userIdentity: undefined, eventID: undefined, recipientAccountId: undefined });
    expect(e.actor.type).toBeNull();
    expect(e.eventId).toMatch(/^tw-[0-9a-f]{32}$/);
    expect(e.recipientAccountId).toBe('999999999999');
    expect(e.notes).toEqual(['synthetic-event-id', 'no-user-identity', 'recipient-inferred']);
    // the synthetic id is a function of the record, so a re-delivered copy dedups
    expect(ok({ userIdentity: undefined, eventID: undefined, recipientAccountId: undefined }).eventId).toBe(
      e.eventId,
    );
  });

  it('keeps HIDDEN_DUE_TO_SECURITY_REASONS, type-unstable fields and omitted blocks as they are', () => {
    const e = ok({
      userIdentity: { type: 'IAMUser', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS', accountId: 123456789012 },
      requestParameters: { containerOverrides: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      responseElements: { omitted: true, originalSize: 300000 },
      readOnly: 'false',
      errorCode: 404,
    });
    expect(e.actor.userName).toBe('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(e.actor.accountId).toBe('123456789012');
    expect(e.readOnly).toBe(false);
    expect(e.errorCode).toBe('404');
    expect(e.requestParameters).toEqual({ containerOverrides: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
    expect(e.notes).toContain('omitted:responseElements');
  });

  it('accepts other time formats and quarantines records without a usable time', () => {
    expect(ok({ eventTime: '2026-01-11 22:54:56.000000000' }).eventTime).toBe(
      Date.parse('2026-01-11T22:54:56Z'),
    );
    expect(ok({ eventTime: '2026-01-11 22:54:56.000000000' }).notes).toContain('time-reformatted');
    expect(normalizeRecord(record({ eventTime: undefined }), ctx)).toMatchObject({
      ok: false,
      reason: 'missing-event-time',
    });
    expect(normalizeRecord(record({ eventTime: 'yesterday' }), ctx)).toMatchObject({
      ok: false,
      reason: 'bad-event-time',
    });
    expect(normalizeRecord(record({ eventTime: { nested: 1 } }), ctx)).toMatchObject({
      ok: false,
      reason: 'bad-event-time',
    });
  });

  it('handles a 256 KB record', () => {
    const big = 'x'.repeat(250_000);
    expect(ok({ requestParameters: { policy: big } }).requestParameters).toEqual({ policy: big });
  });
});

describe('times', () => {
  it('parses the forms CloudTrail data uses', () => {
    expect(parseEventTime('2024-05-01T12:00:00Z')?.ms).toBe(Date.parse('2024-05-01T12:00:00Z'));
    expect(parseEventTime('2024-05-01T12:00:00.123Z')?.ms).toBe(Date.parse('2024-05-01T12:00:00.123Z'));
    expect(parseEventTime('20131102T010628Z')?.ms).toBe(Date.parse('2013-11-02T01:06:28Z'));
    expect(parseEventTime('2024-05-01 12:00:00+02:00')?.ms).toBe(Date.parse('2024-05-01T10:00:00Z'));
    expect(parseEventTime(1714564800)?.ms).toBe(1714564800000);
    expect(parseEventTime(1714564800000)?.ms).toBe(1714564800000);
    expect(parseEventTime('2024-13-45T99:00:00Z')).toBeNull();
    expect(parseEventTime(null)).toBeNull();
  });

  it('parses command-line times relative to now', () => {
    const now = Date.parse('2024-05-10T00:00:00Z');
    expect(parseTimeArg('2h', now)).toBe(now - 7_200_000);
    expect(parseTimeArg('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeArg('2024-05-01', now)).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(parseTimeArg('soon', now)).toBeNull();
  });
});
