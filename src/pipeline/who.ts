// The `who` use case: from an access key, ARN or name to the origins behind it, their sessions and activity.
import type { Confidence, Origin, ResolvedBy, StoredCredential } from '../domain/identity.js';
import type { EventSummary, Store } from '../storage/port.js';
import { attachIdentity } from './identity.js';

export interface SessionProfile {
  credential: StoredCredential;
  /** How many stored events used this session's key. */
  events: number;
}

export interface IdentityProfile {
  origin: Origin;
  resolvedBy: ResolvedBy;
  confidence: Confidence;
  detail: string | null;
  activity: EventSummary;
  /** Every key minted on this origin's behalf, ordered by time. */
  sessions: SessionProfile[];
  /** Long-term access keys created for this origin (an IAM user), with who created them. */
  accessKeys: StoredCredential[];
}

const FACETS = ['recipientAccountId', 'awsRegion', 'sourceIpAddress', 'eventSource', 'errorCode'] as const;

/** Origins the term names: ledger rows it matches, or the events of the key, ARN or name it is. */
async function originsOf(
  store: Store,
  term: string,
): Promise<Map<string, IdentityProfile['origin'] & { r: StoredCredential['resolution'] }>> {
  const found = new Map<string, Origin & { r: StoredCredential['resolution'] }>();
  for (const row of await store.findCredentials(term))
    found.set(row.resolution.origin.id, { ...row.resolution.origin, r: row.resolution });
  const direct = [
    ...(await store.searchEvents({ accessKeyIds: [term], limit: 1 })),
    ...(await store.searchEvents({ origins: [term], limit: 1 })),
    ...(await store.searchEvents({ userNames: [term], limit: 1 })),
  ];
  for (const e of await attachIdentity(store, direct)) {
    const r = e.resolution;
    if (r && !found.has(r.origin.id)) found.set(r.origin.id, { ...r.origin, r });
  }
  return found;
}

export async function whoIs(store: Store, term: string): Promise<IdentityProfile[]> {
  const profiles: IdentityProfile[] = [];
  for (const origin of (await originsOf(store, term)).values()) {
    const { r, ...plain } = origin;
    // An unresolved origin has no identity to search by; its session's key stands in for it.
    const key = r.pendingKey ?? r.chain.at(-1)?.accessKeyId ?? null;
    const query = origin.type === 'Unknown' && key ? { accessKeyIds: [key] } : { origins: [origin.id] };
    const activity = await store.summarizeEvents(query, FACETS, 10);
    const related = await store.findCredentials(origin.id, 10_000);
    const rows = related.filter((c) => c.resolution.origin.id === origin.id && c.kind !== 'CreateAccessKey');
    const accessKeys = related.filter((c) => c.kind === 'CreateAccessKey' && c.targetArn === origin.id);
    const perKey = rows.length
      ? await store.summarizeEvents(
          { accessKeyIds: rows.map((c) => c.accessKeyId) },
          ['accessKeyId'],
          rows.length,
        )
      : null;
    const counts = new Map((perKey?.facets.accessKeyId ?? []).map((f) => [f.value, f.count]));
    const sessions = rows
      .map((credential) => ({ credential, events: counts.get(credential.accessKeyId) ?? 0 }))
      .sort(
        (a, b) =>
          a.credential.issuedAt - b.credential.issuedAt ||
          a.credential.resolution.chain.length - b.credential.resolution.chain.length,
      );
    // Asked about the origin itself, there is nothing to resolve.
    const isSelf =
      origin.type !== 'Unknown' &&
      [origin.id, origin.name].some((v) => v.toLowerCase() === term.toLowerCase());
    profiles.push({
      origin: plain,
      resolvedBy: isSelf ? 'self' : r.resolvedBy,
      confidence: isSelf ? 'high' : r.confidence,
      detail: isSelf ? null : r.detail,
      activity,
      sessions,
      accessKeys,
    });
  }
  return profiles.sort((a, b) => b.activity.count - a.activity.count);
}
