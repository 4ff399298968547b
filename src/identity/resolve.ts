// Origin resolution: each ledger row builds on its parent's resolution; events take their key's row.
import type { Actor } from '../domain/event.js';
import type { Credential, Hop, Resolution, StoredCredential } from '../domain/identity.js';
import { resolveLongTerm, resolveSessionFallback } from './origin.js';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/i;

export function hopOf(c: Credential): Hop {
  return {
    accessKeyId: c.accessKeyId,
    kind: c.kind,
    arn: c.targetArn,
    roleArn: c.roleArn,
    accountId: c.targetAccountId,
    sessionName: c.sessionName,
    sourceIdentity: c.sourceIdentity,
    issuedAt: c.issuedAt,
    eventId: c.eventId,
    sourceIpAddress: c.sourceIpAddress,
  };
}

/** A service that assumed a role for a workload: EC2 for an instance (the session is named after it). */
function serviceCaller(c: Credential): Resolution | null {
  if (c.caller.type !== 'AWSService') return null;
  const service = c.caller.invokedBy ?? c.caller.principalId ?? 'unknown service';
  const session = c.sessionName ?? '';
  const chain = [hopOf(c)];
  if (service === 'ec2.amazonaws.com' && INSTANCE_ID.test(session))
    return {
      origin: { type: 'EC2Instance', id: session, name: session, accountId: c.targetAccountId },
      chain,
      resolvedBy: 'instance-profile',
      confidence: 'high',
      pendingKey: null,
      detail: null,
    };
  const id = session ? `${service}/${session}` : service;
  return {
    origin: { type: 'AWSService', id, name: id, accountId: c.targetAccountId },
    chain,
    resolvedBy: 'service-principal',
    confidence: 'high',
    pendingKey: null,
    detail: null,
  };
}

/**
 * The resolution of the sessions a credential creates. `parent` is the stored row of the key the
 * caller used, when the caller is itself a session; its resolution is already final, so one step suffices.
 */
export function resolveCredential(c: Credential, parent: StoredCredential | undefined): Resolution {
  const hop = hopOf(c);
  const byService = serviceCaller(c);
  if (byService) return byService;
  if (c.caller.type === 'AWSAccount')
    return {
      origin: {
        type: 'Unknown',
        id: `unresolved/${c.caller.principalId ?? c.caller.accountId ?? c.accessKeyId}`,
        name: `a principal of account ${c.caller.accountId ?? 'unknown'}`,
        accountId: c.caller.accountId,
      },
      chain: [hop],
      resolvedBy: 'unresolved',
      confidence: 'none',
      pendingKey: null,
      detail: `only the role owner's copy of ${c.kind} is stored; the caller's account logs who called`,
    };
  const longTerm = resolveLongTerm(c.caller);
  if (longTerm)
    return {
      ...longTerm,
      chain: [hop],
      resolvedBy: longTerm.resolvedBy === 'self' ? 'access-key-chain' : longTerm.resolvedBy,
    };
  if (parent) {
    const p = parent.resolution;
    return {
      ...p,
      chain: [...p.chain, hop],
      resolvedBy: p.resolvedBy === 'self' ? 'access-key-chain' : p.resolvedBy,
    };
  }
  const fallback = resolveSessionFallback(c.caller);
  return { ...fallback, chain: [...fallback.chain, hop] };
}

/** The resolution of an event's actor, given the ledger row of the key it used (if any). */
export function resolveActor(a: Actor, row: StoredCredential | undefined): Resolution {
  if (row && row.kind !== 'CreateAccessKey') return row.resolution;
  return resolveLongTerm(a) ?? resolveSessionFallback(a);
}
