// The session-name policy: an AssumeRole's session should name the caller (sts:RoleSessionName = ${aws:username}).
import type { CloudTrailEvent, SessionNameCheckResult } from '../domain/event.js';
import type { Resolution } from '../domain/identity.js';
import { isJsonObject } from '../domain/json.js';

/** `caller`: the session is named after the caller (user name, origin name or e-mail, source identity); `email`: an e-mail address; `pattern`: matches a regular expression. */
export type SessionNamePolicy =
  { kind: 'caller' } | { kind: 'email' } | { kind: 'pattern'; source: string; regex: RegExp };

/** `expected` lists what the policy accepted, for people reading the alert. */
export type SessionNameCheck = SessionNameCheckResult;

export const DEFAULT_SESSION_NAME_POLICY: SessionNamePolicy = { kind: 'caller' };

export class SessionNamePolicyError extends Error {
  override readonly name = 'SessionNamePolicyError';
}

/** Parses `caller`, `email` or `pattern:<regex>`. */
export function parseSessionNamePolicy(text: string): SessionNamePolicy {
  if (text === 'caller' || text === 'email') return { kind: text };
  if (text.startsWith('pattern:')) {
    const source = text.slice('pattern:'.length);
    try {
      return { kind: 'pattern', source, regex: new RegExp(`^(?:${source})$`, 'i') };
    } catch (err) {
      throw new SessionNamePolicyError(`session-name pattern ${source}: ${(err as Error).message}`);
    }
  }
  throw new SessionNamePolicyError(
    `session-name policy ${text}: expected caller, email or pattern:<regex>, e.g. pattern:[a-z]+\\.[a-z]+@example\\.com`,
  );
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function describe(policy: SessionNamePolicy): string {
  return policy.kind === 'pattern' ? `pattern:${policy.source}` : policy.kind;
}

/** Names that identify the caller: its user name, its origin's name (and e-mail local part), its source identity. */
function callerNames(e: CloudTrailEvent, caller: Resolution): string[] {
  const names = [e.actor.userName, e.actor.sourceIdentity, caller.origin.name];
  const at = caller.origin.name.indexOf('@');
  if (at > 0) names.push(caller.origin.name.slice(0, at));
  return [...new Set(names.filter((n): n is string => !!n).map((n) => n.toLowerCase()))];
}

/**
 * Checks an AssumeRole event against the policy; null for every other event. Calls made by AWS
 * services, and the role owner's copy of a cross-account call (the caller's copy is checked), are
 * not applicable.
 */
export function checkSessionName(
  e: CloudTrailEvent,
  caller: Resolution,
  policy: SessionNamePolicy = DEFAULT_SESSION_NAME_POLICY,
): SessionNameCheck | null {
  if (e.eventSource !== 'sts.amazonaws.com' || e.eventName !== 'AssumeRole') return null;
  const req = isJsonObject(e.requestParameters) ? e.requestParameters : {};
  const sessionName = typeof req.roleSessionName === 'string' ? req.roleSessionName : null;
  const base = { policy: describe(policy), sessionName };
  if (e.actor.type === 'AWSService' || e.actor.type === 'AWSAccount' || e.actor.invokedBy)
    return { ...base, verdict: 'not-applicable', expected: [] };
  let expected: string[];
  let isOk: boolean;
  const name = (sessionName ?? '').toLowerCase();
  if (policy.kind === 'email') {
    expected = ['an e-mail address'];
    isOk = EMAIL.test(name);
  } else if (policy.kind === 'pattern') {
    expected = [policy.source];
    isOk = policy.regex.test(name);
  } else {
    expected = callerNames(e, caller);
    isOk =
      expected.includes(name) || (EMAIL.test(name) && expected.includes(name.slice(0, name.indexOf('@'))));
  }
  return { ...base, verdict: isOk ? 'identifies-caller' : 'hides-caller', expected };
}
