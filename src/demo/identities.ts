// userIdentity blocks of every type the demo uses, shaped and ordered as CloudTrail writes them.
import type { JsonObject } from '../domain/json.js';
import { isoSeconds } from './format.js';
import type { RoleRef, UserRef } from './org.js';

/** Who makes a call: the userIdentity block plus where the request came from. */
export interface Caller {
  identity: JsonObject;
  sourceIp: string;
  /** A fixed string, or one built per call (the AWS CLI names the command it runs). */
  userAgent: string | ((source: string, name: string) => string);
  /** The calls come from a console session (`sessionCredentialFromConsole`). */
  isConsole?: boolean;
}

/** A role session: who the temporary `ASIA…` key belongs to and when it was issued. */
export interface RoleSession {
  role: RoleRef;
  name: string;
  accessKeyId: string;
  createdAt: number;
  isMfa?: boolean;
}

export const roleArn = (role: RoleRef): string => `arn:aws:iam::${role.account}:role${role.path}${role.name}`;
export const assumedRoleArn = (role: RoleRef, session: string): string =>
  `arn:aws:sts::${role.account}:assumed-role/${role.name}/${session}`;
export const userArn = (user: UserRef): string => `arn:aws:iam::${user.account}:user/${user.name}`;

const attributes = (createdAt: number, isMfa: boolean): JsonObject => ({
  creationDate: isoSeconds(createdAt),
  mfaAuthenticated: isMfa ? 'true' : 'false',
});

/** Long-term credentials (`AKIA…`), or none at all for the console sign-in itself. */
export function iamUserIdentity(user: UserRef, accessKeyId?: string): JsonObject {
  return {
    type: 'IAMUser',
    principalId: user.userId,
    arn: userArn(user),
    accountId: user.account,
    ...(accessKeyId === undefined ? {} : { accessKeyId }),
    userName: user.name,
  };
}

/** An IAM user's console session: calls carry an `ASIA…` key and the sign-in's MFA state. */
export function iamUserConsoleIdentity(
  user: UserRef,
  accessKeyId: string,
  createdAt: number,
  isMfa: boolean,
): JsonObject {
  return {
    ...iamUserIdentity(user, accessKeyId),
    sessionContext: { sessionIssuer: {}, webIdFederationData: {}, attributes: attributes(createdAt, isMfa) },
  };
}

export function roleSessionIdentity(session: RoleSession, extra: JsonObject = {}): JsonObject {
  const { role } = session;
  const { inScopeOf, ...context } = extra;
  return {
    type: 'AssumedRole',
    principalId: `${role.roleId}:${session.name}`,
    arn: assumedRoleArn(role, session.name),
    accountId: role.account,
    accessKeyId: session.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: role.roleId,
        arn: roleArn(role),
        accountId: role.account,
        userName: role.name,
      },
      webIdFederationData: {},
      attributes: attributes(session.createdAt, session.isMfa ?? false),
      ...context,
    },
    ...(inScopeOf === undefined ? {} : { inScopeOf }),
  };
}

/** An EC2 instance-profile session: the session name is the instance ID. */
export function instanceSessionIdentity(session: RoleSession, region: string): JsonObject {
  return roleSessionIdentity(session, {
    ec2RoleDelivery: '2.0',
    inScopeOf: {
      issuerType: 'AWS::EC2::Instance',
      credentialsIssuedTo: `arn:aws:ec2:${region}:${session.role.account}:instance/${session.name}`,
    },
  });
}

export function lambdaSessionIdentity(session: RoleSession, functionArn: string): JsonObject {
  return roleSessionIdentity(session, {
    inScopeOf: { issuerType: 'AWS::Lambda::Function', credentialsIssuedTo: functionArn },
  });
}

/** The root user; a console session adds its `ASIA…` key and MFA state. */
export function rootIdentity(
  account: string,
  session?: { accessKeyId: string; createdAt: number },
): JsonObject {
  return {
    type: 'Root',
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
    accessKeyId: session?.accessKeyId ?? '',
    ...(session === undefined
      ? {}
      : {
          sessionContext: {
            sessionIssuer: {},
            webIdFederationData: {},
            attributes: attributes(session.createdAt, true),
          },
        }),
  };
}

export const serviceIdentity = (service: string): JsonObject => ({ type: 'AWSService', invokedBy: service });

/** The role-owner account's view of a cross-account AssumeRole caller. */
export const accountIdentity = (principalId: string, accountId: string): JsonObject => ({
  type: 'AWSAccount',
  principalId,
  accountId,
});

export function webIdentityUser(provider: string, audience: string, subject: string): JsonObject {
  return {
    type: 'WebIdentityUser',
    principalId: `${provider}:${audience}:${subject}`,
    userName: subject,
    identityProvider: provider,
  };
}

export function samlUser(nameQualifier: string, subject: string): JsonObject {
  return {
    type: 'SAMLUser',
    principalId: `${nameQualifier}:${subject}`,
    userName: subject,
    identityProvider: nameQualifier,
  };
}

/**
 * The same caller as seen when an AWS service (S3, SSM) calls KMS on its behalf: the identity gains
 * `invokedBy`, and the service is the source address and user agent.
 */
export function viaService(caller: Caller, service: string): Caller {
  return { identity: { ...caller.identity, invokedBy: service }, sourceIp: service, userAgent: service };
}

export const arnOf = (caller: Caller): string => {
  const arn = caller.identity['arn'];
  return typeof arn === 'string' ? arn : '';
};
