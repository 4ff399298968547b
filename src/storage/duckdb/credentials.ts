// The mapping between a ledger row (a credential with its resolution) and the `credentials` table.
import type { DuckDBAppender } from '@duckdb/node-api';
import { timestampValue } from '@duckdb/node-api';
import type { StoredCredential } from '../../domain/identity.js';

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
