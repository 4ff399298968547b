// Record builders for attribution tests: identities, and the STS/IAM calls that mint their keys.
import type { JsonObject } from '../../src/domain/json.js';
import { record } from './records.js';

let n = 0;
const nextId = (): string => `ev-${String(++n).padStart(4, '0')}`;
const iso = (minute: number): string =>
  new Date(Date.UTC(2024, 4, 1, 12, minute)).toISOString().replace('.000Z', 'Z');

export const iamUser = (account: string, name: string, key: string): JsonObject => ({
  type: 'IAMUser',
  principalId: `AIDA${name.toUpperCase()}`,
  arn: `arn:aws:iam::${account}:user/${name}`,
  accountId: account,
  accessKeyId: key,
  userName: name,
});

export const roleSession = (
  account: string,
  role: string,
  session: string,
  key: string,
  extra: JsonObject = {},
): JsonObject => ({
  type: 'AssumedRole',
  principalId: `AROA${role.toUpperCase()}:${session}`,
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
  accountId: account,
  accessKeyId: key,
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: `AROA${role.toUpperCase()}`,
      arn: `arn:aws:iam::${account}:role/${role}`,
      accountId: account,
      userName: role,
    },
    attributes: { creationDate: iso(0), mfaAuthenticated: 'false' },
    ...extra,
  },
});

/** An sts call by `caller` in `account` that returns `issued` for `role` in `roleAccount`. */
export function stsCall(
  name:
    | 'AssumeRole'
    | 'GetSessionToken'
    | 'GetFederationToken'
    | 'AssumeRoleWithSAML'
    | 'AssumeRoleWithWebIdentity',
  caller: JsonObject,
  issued: string,
  opts: {
    account: string;
    roleAccount?: string;
    role?: string;
    session?: string;
    minute?: number;
    shared?: string;
    sourceIdentity?: string;
    response?: JsonObject;
  },
): JsonObject {
  const roleAccount = opts.roleAccount ?? opts.account;
  const role = opts.role ?? 'Role';
  const session = opts.session ?? 'session';
  const isRole = name.startsWith('AssumeRole');
  return record({
    eventID: nextId(),
    eventTime: iso(opts.minute ?? 1),
    eventSource: 'sts.amazonaws.com',
    eventName: name,
    userIdentity: caller,
    recipientAccountId: opts.account,
    readOnly: true,
    ...(opts.shared ? { sharedEventID: opts.shared } : {}),
    requestParameters: isRole
      ? {
          roleArn: `arn:aws:iam::${roleAccount}:role/${role}`,
          roleSessionName: session,
          ...(opts.sourceIdentity ? { sourceIdentity: opts.sourceIdentity } : {}),
        }
      : name === 'GetFederationToken'
        ? { name: session }
        : { durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId: issued, sessionToken: 'token', expiration: 'May 1, 2024 1:00:00 PM' },
      ...(isRole
        ? {
            assumedRoleUser: {
              assumedRoleId: `AROA${role.toUpperCase()}:${session}`,
              arn: `arn:aws:sts::${roleAccount}:assumed-role/${role}/${session}`,
            },
          }
        : {}),
      ...(name === 'GetFederationToken'
        ? {
            federatedUser: {
              federatedUserId: `${opts.account}:${session}`,
              arn: `arn:aws:sts::${opts.account}:federated-user/${session}`,
            },
          }
        : {}),
      ...opts.response,
    },
  });
}

/** The role owner's copy of a cross-account AssumeRole: the caller appears only as its account. */
export function ownerCopy(callerCopy: JsonObject, callerAccount: string, roleAccount: string): JsonObject {
  return {
    ...callerCopy,
    eventID: nextId(),
    recipientAccountId: roleAccount,
    userIdentity: { type: 'AWSAccount', principalId: 'AIDACALLER', accountId: callerAccount },
  };
}

/** An ordinary call made with `identity`. */
export function callBy(
  identity: JsonObject,
  account: string,
  eventName = 'ListBuckets',
  minute = 30,
): JsonObject {
  return record({
    eventID: nextId(),
    eventTime: iso(minute),
    eventName,
    userIdentity: identity,
    recipientAccountId: account,
  });
}
