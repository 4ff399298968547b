// Identity attribution types: credentials minted by STS/IAM/SSO, origins, chains and how they were found.
import type { Actor } from './event.js';

/** The calls that mint or reveal credentials. */
export type CredentialKind =
  | 'AssumeRole'
  | 'AssumeRoleWithSAML'
  | 'AssumeRoleWithWebIdentity'
  | 'GetSessionToken'
  | 'GetFederationToken'
  | 'AssumeRoot'
  | 'GetRoleCredentials'
  | 'CreateAccessKey';

/** Each service's calls that mint or reveal credentials (the ledger reads their request and response). */
export const CREDENTIAL_CALLS: Readonly<Record<string, readonly CredentialKind[]>> = {
  'sts.amazonaws.com': [
    'AssumeRole',
    'AssumeRoleWithSAML',
    'AssumeRoleWithWebIdentity',
    'GetSessionToken',
    'GetFederationToken',
    'AssumeRoot',
  ],
  'sso.amazonaws.com': ['GetRoleCredentials'],
  'iam.amazonaws.com': ['CreateAccessKey'],
};

/** The kind of credential a call mints, or null when it mints none (any outcome). */
export function credentialKindOf(
  eventSource: string | null,
  eventName: string | null,
): CredentialKind | null {
  const kinds = eventSource ? CREDENTIAL_CALLS[eventSource] : undefined;
  return kinds?.find((k) => k === eventName) ?? null;
}

/** One ledger row: the key an event issued, who issued it, and what it acts as. */
export interface Credential {
  accessKeyId: string;
  kind: CredentialKind;
  issuedAt: number;
  expiresAt: number | null;
  eventId: string;
  recipientAccountId: string;
  sharedEventId: string | null;
  /** The identity that made the call, as its own event recorded it (with the key it used). */
  caller: Actor;
  /** The identity the new credentials act as: assumed-role, federated-user or IAM user ARN. */
  targetArn: string | null;
  roleArn: string | null;
  targetAccountId: string | null;
  sessionName: string | null;
  sourceIdentity: string | null;
  /** SAML or web-identity subject, and the provider that vouched for it. */
  subject: string | null;
  provider: string | null;
  sourceIpAddress: string | null;
}

export type OriginType =
  | 'IAMUser'
  | 'Root'
  | 'IdentityCenterUser'
  | 'SAMLUser'
  | 'WebIdentityUser'
  | 'EC2Instance'
  | 'AWSService'
  | 'SourceIdentity'
  | 'Unknown';

/** The long-term identity behind an action. `id` is stable (an ARN or a qualified name); `name` is for people. */
export interface Origin {
  type: OriginType;
  id: string;
  name: string;
  accountId: string | null;
}

export type ResolvedBy =
  | 'self'
  | 'access-key-chain'
  | 'source-identity'
  | 'identity-center'
  | 'session-name'
  | 'instance-profile'
  | 'service-principal'
  | 'unresolved';

export type Confidence = 'high' | 'medium' | 'low' | 'none';

/** One step from the origin towards the acting identity; `eventId` is the event that created it, if known. */
export interface Hop {
  accessKeyId: string | null;
  kind: CredentialKind | null;
  /** The identity acting after this hop (e.g. the assumed-role session ARN). */
  arn: string | null;
  roleArn: string | null;
  accountId: string | null;
  sessionName: string | null;
  sourceIdentity: string | null;
  issuedAt: number | null;
  eventId: string | null;
  sourceIpAddress: string | null;
}

export interface Resolution {
  origin: Origin;
  /** From the origin to the acting identity. Empty for a long-term identity acting itself. */
  chain: Hop[];
  resolvedBy: ResolvedBy;
  confidence: Confidence;
  /** The access key whose issuing event is missing; its arrival can improve this resolution. */
  pendingKey: string | null;
  /** Why the resolution stops where it does, when it is not complete. */
  detail: string | null;
}

export interface StoredCredential extends Credential {
  resolution: Resolution;
}
