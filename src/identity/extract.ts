// The credential ledger's input: which events mint or reveal credentials, and what each row records.
import type { CloudTrailEvent } from '../domain/event.js';
import { credentialKindOf, type Credential } from '../domain/identity.js';
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';
import { str } from '../parse/normalize.js';
import { parseExpiration } from './expiration.js';

function obj(value: Json | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** The account id inside an ARN (`arn:aws:sts::123456789012:…`). */
export function accountOfArn(arn: string | null): string | null {
  return arn ? (/^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null) : null;
}

/** The ledger row for an event that minted credentials, or null for any other event (or a failed call). */
export function extractCredential(e: CloudTrailEvent): Credential | null {
  const kind = credentialKindOf(e.eventSource, e.eventName);
  if (!kind || e.errorCode) return null;
  const req = obj(e.requestParameters);
  const res = obj(e.responseElements);
  const base = {
    kind,
    issuedAt: e.eventTime,
    eventId: e.eventId,
    recipientAccountId: e.recipientAccountId,
    sharedEventId: e.sharedEventId,
    caller: e.actor,
    sourceIpAddress: e.sourceIpAddress,
  };
  if (kind === 'CreateAccessKey') {
    const key = obj(res.accessKey);
    const accessKeyId = str(key.accessKeyId);
    if (!accessKeyId) return null;
    const userName = str(key.userName) ?? str(req.userName) ?? e.actor.userName;
    const account = e.recipientAccountId || e.actor.accountId;
    return {
      ...base,
      accessKeyId,
      expiresAt: null,
      targetArn: userName && account ? `arn:aws:iam::${account}:user/${userName}` : null,
      roleArn: null,
      targetAccountId: account,
      sessionName: null,
      sourceIdentity: null,
      subject: null,
      provider: null,
    };
  }
  const creds = kind === 'GetRoleCredentials' ? obj(res.roleCredentials) : obj(res.credentials);
  const accessKeyId = str(creds.accessKeyId);
  if (!accessKeyId) return null;
  const assumed = obj(res.assumedRoleUser);
  const federated = obj(res.federatedUser);
  const targetArn = str(assumed.arn) ?? str(federated.arn) ?? null;
  const roleArn = str(req.roleArn);
  return {
    ...base,
    accessKeyId,
    expiresAt: parseExpiration(creds.expiration),
    targetArn,
    roleArn,
    targetAccountId:
      accountOfArn(targetArn) ?? accountOfArn(roleArn) ?? str(req.accountId) ?? str(req.targetPrincipal),
    sessionName: str(req.roleSessionName) ?? str(req.name) ?? str(req.roleName) ?? sessionOfArn(targetArn),
    sourceIdentity: str(req.sourceIdentity) ?? str(res.sourceIdentity),
    subject: str(res.subject) ?? str(res.subjectFromWebIdentityToken),
    provider: str(res.issuer) ?? str(res.provider),
  };
}

function sessionOfArn(arn: string | null): string | null {
  return arn ? (/\/([^/]+)$/.exec(arn)?.[1] ?? null) : null;
}

/** How much a copy of a cross-account call says about the caller: the caller's own copy says most. */
export function callerDetail(c: Credential): number {
  if (c.caller.type === 'AWSAccount') return 0;
  return c.caller.accessKeyId ? 2 : 1;
}

/**
 * Merges the copies of one issued key (a cross-account call is logged in both accounts, with one
 * `sharedEventID`): the copy that says most about the caller wins, the first one on a tie.
 */
export function preferCredential(current: Credential | undefined, candidate: Credential): Credential {
  if (!current) return candidate;
  return callerDetail(candidate) > callerDetail(current) ? candidate : current;
}
