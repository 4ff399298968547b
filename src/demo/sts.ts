// Credential-minting STS calls. Each returns the new role session, whose ASIA key later calls must carry:
// attribution joins responseElements.credentials.accessKeyId to userIdentity.accessKeyId.
import type { JsonObject } from '../domain/json.js';
import { localeDate, SECOND } from './format.js';
import {
  accountIdentity,
  assumedRoleArn,
  roleArn,
  samlUser,
  serviceIdentity,
  webIdentityUser,
  type Caller,
  type RoleSession,
} from './identities.js';
import { GITHUB_OIDC, SAML_PROVIDER, type RoleRef } from './org.js';
import { UPPER_BASE32, type Rng } from './random.js';
import { emit, type ApiError, type CallBase, type Sink } from './record.js';

export interface Minted {
  session: RoleSession;
  records: JsonObject[];
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export const newSessionKey = (rng: Rng): string => `ASIA${rng.chars(UPPER_BASE32, 16)}`;
export const newLongTermKey = (rng: Rng): string => `AKIA${rng.chars(UPPER_BASE32, 16)}`;

function grant(rng: Rng, role: RoleRef, name: string, time: number, durationSeconds: number) {
  const session: RoleSession = { role, name, accessKeyId: newSessionKey(rng), createdAt: time };
  const response: JsonObject = {
    credentials: {
      accessKeyId: session.accessKeyId,
      sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars(TOKEN_ALPHABET, 160)}`,
      expiration: localeDate(time + durationSeconds * SECOND),
    },
    assumedRoleUser: { assumedRoleId: `${role.roleId}:${name}`, arn: assumedRoleArn(role, name) },
  };
  return { session, response };
}

const roleResource = (role: RoleRef): JsonObject[] => [
  { accountId: role.account, type: 'AWS::IAM::Role', ARN: roleArn(role) },
];

export interface AssumeRoleInput {
  role: RoleRef;
  sessionName: string;
  durationSeconds?: number;
  error?: ApiError;
}

/**
 * `sts:AssumeRole` by a principal of `base.account`. A cross-account call is logged twice: the caller's
 * copy, and the role owner's copy with an AWSAccount identity, the same sharedEventID and requestID.
 */
export function assumeRole(sink: Sink, base: CallBase, input: AssumeRoleInput): Minted {
  const { role, sessionName } = input;
  const durationSeconds = input.durationSeconds ?? 3600;
  const { session, response } = grant(sink.rng, role, sessionName, base.time, durationSeconds);
  const isCrossAccount = role.account !== base.account;
  const sharedEventId = sink.rng.uuid();
  const requestId = sink.rng.uuid();
  const call = {
    ...base,
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    readOnly: true,
    request: { roleArn: roleArn(role), roleSessionName: sessionName, durationSeconds },
    response: input.error ? null : response,
    resources: roleResource(role),
    requestId,
    ...(input.error ? { error: input.error } : {}),
    ...(isCrossAccount ? { sharedEventId } : {}),
  };
  const records = [emit(sink, call)];
  if (isCrossAccount && !input.error) {
    const principalId = base.caller.identity['principalId'];
    const owner: Caller = {
      ...base.caller,
      identity: accountIdentity(typeof principalId === 'string' ? principalId : '', base.account),
    };
    records.push(emit(sink, { ...call, caller: owner, account: role.account }));
  }
  return { session, records };
}

/** An AWS service (EC2 for instance profiles, Lambda for functions) assuming a role in its account. */
export function serviceAssumeRole(
  sink: Sink,
  time: number,
  service: string,
  role: RoleRef,
  sessionName: string,
  region: string,
): Minted {
  const { session, response } = grant(sink.rng, role, sessionName, time, 6 * 3600);
  const record = emit(sink, {
    time,
    caller: { identity: serviceIdentity(service), sourceIp: service, userAgent: service },
    account: role.account,
    region,
    source: 'sts.amazonaws.com',
    name: 'AssumeRole',
    readOnly: true,
    request: { roleArn: roleArn(role), roleSessionName: sessionName },
    response,
    resources: roleResource(role),
    sharedEventId: sink.rng.uuid(),
  });
  return { session, records: [record] };
}

/** GitHub Actions exchanging its OIDC token for a role session (configure-aws-credentials). */
export function assumeRoleWithWebIdentity(
  sink: Sink,
  time: number,
  role: RoleRef,
  subject: string,
  ip: string,
  region: string,
): Minted {
  const sessionName = 'GitHubActions';
  const { session, response } = grant(sink.rng, role, sessionName, time, 3600);
  const record = emit(sink, {
    time,
    caller: {
      identity: webIdentityUser(GITHUB_OIDC, 'sts.amazonaws.com', subject),
      sourceIp: ip,
      userAgent: 'configure-aws-credentials-for-github-actions',
    },
    account: role.account,
    region,
    source: 'sts.amazonaws.com',
    name: 'AssumeRoleWithWebIdentity',
    readOnly: true,
    request: { roleArn: roleArn(role), roleSessionName: sessionName, durationSeconds: 3600 },
    response: {
      ...response,
      subjectFromWebIdentityToken: subject,
      provider: `arn:aws:iam::${role.account}:oidc-provider/${GITHUB_OIDC}`,
      audience: 'sts.amazonaws.com',
    },
    resources: roleResource(role),
  });
  return { session, records: [record] };
}

/** IAM Identity Center handing a person a permission-set role; the session name is their e-mail. */
export function assumeRoleWithSaml(
  sink: Sink,
  time: number,
  role: RoleRef,
  email: string,
  ip: string,
  region: string,
): Minted {
  const nameQualifier = 'Wt7ZEMT1Aod8Ck4cD0e3tRXs5p0=';
  const { session, response } = grant(sink.rng, role, email, time, 8 * 3600);
  const record = emit(sink, {
    time,
    caller: {
      identity: samlUser(nameQualifier, email),
      sourceIp: ip,
      userAgent: 'aws-internal/3 aws-sdk-java/1.12.720',
    },
    account: role.account,
    region,
    source: 'sts.amazonaws.com',
    name: 'AssumeRoleWithSAML',
    readOnly: true,
    request: {
      sAMLAssertionID: `_${sink.rng.uuid()}`,
      roleSessionName: email,
      durationSeconds: 8 * 3600,
      roleArn: roleArn(role),
      principalArn: `arn:aws:iam::${role.account}:saml-provider/${SAML_PROVIDER}`,
    },
    response: {
      ...response,
      subject: email,
      subjectType: 'persistent',
      issuer:
        'https://portal.sso.us-east-1.amazonaws.com/saml/assertion/NTk1NjYxNjUzNjQyX2lucy0xYzJkM2U0ZjVhNmI3Yzhk',
      audience: 'https://signin.aws.amazon.com/saml',
      nameQualifier,
    },
    resources: roleResource(role),
  });
  return { session, records: [record] };
}
