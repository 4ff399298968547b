// The credential ledger in ClickHouse: one row per issued key, a new version replaces the old one.
import type { StoredCredential } from '../../domain/identity.js';
import type { SqlValue } from './sql.js';

export const CREDENTIAL_COLUMNS = [
  'access_key_id',
  'version',
  'kind',
  'issued_ms',
  'expires_ms',
  'event_id',
  'recipient_account_id',
  'shared_event_id',
  'caller_type',
  'caller_arn',
  'caller_access_key_id',
  'caller',
  'target_arn',
  'role_arn',
  'target_account_id',
  'session_name',
  'source_identity',
  'subject',
  'provider',
  'source_ip',
  'origin_type',
  'origin_id',
  'origin_name',
  'origin_account_id',
  'resolved_by',
  'confidence',
  'pending_key',
  'resolution',
] as const;

const finite = (ms: number | null): number | null =>
  ms === null || !Number.isFinite(ms) ? null : Math.round(ms);

export function credentialRow(c: StoredCredential, version: bigint): SqlValue[] {
  const r = c.resolution;
  return [
    c.accessKeyId,
    version,
    c.kind,
    finite(c.issuedAt) ?? 0,
    finite(c.expiresAt),
    c.eventId,
    c.recipientAccountId,
    c.sharedEventId,
    c.caller.type,
    c.caller.arn,
    c.caller.accessKeyId,
    JSON.stringify(c.caller),
    c.targetArn,
    c.roleArn,
    c.targetAccountId,
    c.sessionName,
    c.sourceIdentity,
    c.subject,
    c.provider,
    c.sourceIpAddress,
    r.origin.type,
    r.origin.id,
    r.origin.name,
    r.origin.accountId,
    r.resolvedBy,
    r.confidence,
    r.pendingKey,
    JSON.stringify(r),
  ];
}
