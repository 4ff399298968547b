// Origins of identities that need no ledger: long-term identities acting themselves, and conventions.
import type { Actor } from '../domain/event.js';
import type { Hop, Origin, Resolution } from '../domain/identity.js';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/i;

/** What follows an ARN's last `/` or `:`, if anything does (a scan, not a regex tried at every position). */
export function lastSegment(arn: string | null): string | null {
  if (!arn) return null;
  const cut = Math.max(arn.lastIndexOf('/'), arn.lastIndexOf(':'));
  return cut >= 0 && cut < arn.length - 1 ? arn.slice(cut + 1) : null;
}

/** Session creation times read, kept before the table starts over (a session's events repeat one). */
const CREATION_TIMES = 4096;
let creationTimes = new Map<string, number | null>();

/** A session's creation time in ms, remembered: every event of a session not yet resolved reads it. */
function creationTime(text: string): number | null {
  let ms = creationTimes.get(text);
  if (ms === undefined) {
    ms = Date.parse(text) || null;
    if (creationTimes.size >= CREATION_TIMES) creationTimes = new Map();
    creationTimes.set(text, ms);
  }
  return ms;
}

function done(
  origin: Origin,
  resolvedBy: Resolution['resolvedBy'],
  confidence: Resolution['confidence'],
): Resolution {
  return { origin, chain: [], resolvedBy, confidence, pendingKey: null, detail: null };
}

/**
 * The origin of an identity that is long-term itself (IAM user, root, Identity Center user, a SAML or
 * web-identity subject, an AWS service); null for sessions, whose origin is found through the ledger.
 */
export function resolveLongTerm(a: Actor): Resolution | null {
  const account = a.accountId;
  switch (a.type) {
    case 'IAMUser': {
      const name = a.userName ?? lastSegment(a.arn) ?? a.principalId ?? 'unknown user';
      return done(
        {
          type: 'IAMUser',
          id: a.arn ?? `arn:aws:iam::${account ?? ''}:user/${name}`,
          name,
          accountId: account,
        },
        'self',
        'high',
      );
    }
    case 'Root':
      return done(
        {
          type: 'Root',
          id: a.arn ?? `arn:aws:iam::${account ?? ''}:root`,
          name: `root (${account ?? 'unknown account'})`,
          accountId: account,
        },
        'self',
        'high',
      );
    case 'IdentityCenterUser':
      return done(
        identityCenterOrigin(a, a.onBehalfOfUserId ?? a.userName ?? a.principalId ?? 'unknown'),
        'self',
        'high',
      );
    case 'SAMLUser':
    case 'WebIdentityUser': {
      const subject = a.userName ?? a.principalId ?? 'unknown subject';
      const provider = a.identityProvider ?? 'unknown provider';
      return done(
        { type: a.type, id: `${provider}/${subject}`, name: subject, accountId: account },
        'self',
        'high',
      );
    }
    case 'AWSService': {
      const service = a.invokedBy ?? a.principalId ?? 'unknown service';
      return done({ type: 'AWSService', id: service, name: service, accountId: account }, 'self', 'high');
    }
    default:
      return null;
  }
}

function identityCenterOrigin(a: Actor, userIdOrName: string): Origin {
  const store = a.onBehalfOfIdentityStoreArn;
  return {
    type: 'IdentityCenterUser',
    id: store ? `${store}/${userIdOrName}` : userIdOrName,
    name: userIdOrName,
    accountId: a.accountId,
  };
}

/** A hop for a session whose issuing event is not (yet) known. */
export function unknownHop(a: Actor): Hop {
  return {
    accessKeyId: a.accessKeyId,
    kind: null,
    arn: a.arn,
    roleArn: a.sessionIssuerArn,
    accountId: a.accountId,
    sessionName: a.sessionName,
    sourceIdentity: a.sourceIdentity,
    issuedAt: a.sessionCreationDate ? creationTime(a.sessionCreationDate) : null,
    eventId: null,
    sourceIpAddress: null,
  };
}

/**
 * The best origin for a session without its issuing event, from what AWS itself puts in the record
 * (Identity Center user, source identity, instance scope) or, failing that, naming conventions. The
 * result says how it was found; with nothing to go on it is explicitly unresolved.
 */
export function resolveSessionFallback(a: Actor): Resolution {
  const pendingKey = a.accessKeyId;
  const chain = [unknownHop(a)];
  const account = a.accountId;
  const role = a.sessionIssuerArn ?? '';
  const of = (
    origin: Origin,
    resolvedBy: Resolution['resolvedBy'],
    confidence: Resolution['confidence'],
    detail: string,
  ): Resolution => ({
    origin,
    chain,
    resolvedBy,
    confidence,
    pendingKey,
    detail,
  });
  if (a.onBehalfOfUserId)
    return of(
      identityCenterOrigin(a, a.onBehalfOfUserId),
      'identity-center',
      'high',
      'onBehalfOf names the Identity Center user',
    );
  if (a.sourceIdentity)
    return of(
      {
        type: 'SourceIdentity',
        id: `source-identity/${a.sourceIdentity}`,
        name: a.sourceIdentity,
        accountId: null,
      },
      'source-identity',
      'medium',
      'the session carries a source identity set when it was first assumed',
    );
  const instance =
    a.inScopeOfIssuerType === 'AWS::EC2::Instance' ? lastSegment(a.inScopeOfCredentialsIssuedTo) : null;
  const session = a.sessionName ?? '';
  if (instance || a.ec2RoleDelivery || INSTANCE_ID.test(session)) {
    const id = instance ?? (INSTANCE_ID.test(session) ? session : 'unknown instance');
    return of(
      { type: 'EC2Instance', id, name: id, accountId: account },
      'instance-profile',
      'medium',
      'an instance-profile session',
    );
  }
  if (a.inScopeOfIssuerType === 'AWS::Lambda::Function' || a.inScopeOfCredentialsIssuedTo) {
    const workload = a.inScopeOfCredentialsIssuedTo ?? session;
    return of(
      { type: 'AWSService', id: workload, name: lastSegment(workload) ?? workload, accountId: account },
      'service-principal',
      'medium',
      `credentials issued to ${a.inScopeOfIssuerType ?? 'a resource'}`,
    );
  }
  if (role.includes('/aws-reserved/sso.amazonaws.com/') && session)
    return of(
      identityCenterOrigin(a, session),
      'session-name',
      'medium',
      'Identity Center names role sessions after the user',
    );
  const serviceRole = /:role\/aws-service-role\/([^/]+)\//.exec(role)?.[1];
  if (serviceRole)
    return of(
      { type: 'AWSService', id: serviceRole, name: serviceRole, accountId: account },
      'service-principal',
      'medium',
      'a service-linked role',
    );
  const label = a.arn ?? (role || 'an unknown session');
  return of(
    { type: 'Unknown', id: `unresolved/${a.accessKeyId ?? label}`, name: label, accountId: account },
    'unresolved',
    'none',
    a.accessKeyId
      ? `the event that issued ${a.accessKeyId} is not in the store`
      : 'the record carries no access key to follow',
  );
}
