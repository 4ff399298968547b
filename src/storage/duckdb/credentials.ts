// The mapping between a ledger row (a credential with its resolution) and the `credentials` table.
import type { DuckDBAppender } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { Actor } from '../../domain/event.js';
import type { CredentialKind, Resolution, StoredCredential } from '../../domain/identity.js';
import { s, type Row } from './values.js';

/** Appends one row in the column order of migration 2. */
export function appendCredential(a: DuckDBAppender, c: StoredCredential): void {
  const text = (v: string | null): void => (v === null ? a.appendNull() : a.appendVarchar(v));
  const time = (ms: number | null): void =>
    ms === null || !Number.isFinite(ms)
      ? a.appendNull()
      : a.appendTimestamp(timestampValue(BigInt(Math.round(ms)) * 1000n));
  const r = c.resolution;
  a.appendVarchar(c.accessKeyId);
  a.appendVarchar(c.kind);
  time(c.issuedAt);
  time(c.expiresAt);
  a.appendVarchar(c.eventId);
  a.appendVarchar(c.recipientAccountId);
  text(c.sharedEventId);
  text(c.caller.type);
  text(c.caller.arn);
  text(c.caller.accessKeyId);
  a.appendVarchar(JSON.stringify(c.caller));
  for (const v of [
    c.targetArn,
    c.roleArn,
    c.targetAccountId,
    c.sessionName,
    c.sourceIdentity,
    c.subject,
    c.provider,
  ])
    text(v);
  text(c.sourceIpAddress);
  a.appendVarchar(r.origin.type);
  a.appendVarchar(r.origin.id);
  a.appendVarchar(r.origin.name);
  text(r.origin.accountId);
  a.appendVarchar(r.resolvedBy);
  a.appendVarchar(r.confidence);
  text(r.pendingKey);
  a.appendVarchar(JSON.stringify(r));
}

export const CREDENTIAL_SELECT = `*, epoch_ms(issued_at) AS issued_ms, epoch_ms(expires_at) AS expires_ms`;

export function rowToCredential(row: Row): StoredCredential {
  const expires = row.expires_ms;
  return {
    accessKeyId: s(row, 'access_key_id') ?? '',
    kind: s(row, 'kind') as CredentialKind,
    issuedAt: Number(row.issued_ms),
    expiresAt: expires === null || expires === undefined ? null : Number(expires),
    eventId: s(row, 'event_id') ?? '',
    recipientAccountId: s(row, 'recipient_account_id') ?? '',
    sharedEventId: s(row, 'shared_event_id'),
    caller: JSON.parse(s(row, 'caller') ?? '{}') as Actor,
    targetArn: s(row, 'target_arn'),
    roleArn: s(row, 'role_arn'),
    targetAccountId: s(row, 'target_account_id'),
    sessionName: s(row, 'session_name'),
    sourceIdentity: s(row, 'source_identity'),
    subject: s(row, 'subject'),
    provider: s(row, 'provider'),
    sourceIpAddress: s(row, 'source_ip'),
    resolution: JSON.parse(s(row, 'resolution') ?? '{}') as Resolution,
  };
}
