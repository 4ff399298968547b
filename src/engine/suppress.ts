// Suppressions: data, not code. An alert a suppression covers is kept, marked suppressed, and countable.
import type { Alert, Suppression } from '../domain/alert.js';
import type { MatchView } from '../domain/rule.js';
import { compileEntry, type Test } from '../rules/modifiers.js';

/** The fields a suppression can match on, as the view its entries read (`actor.arn` under actor). */
function alertView(a: Alert): MatchView {
  return {
    record: {
      ruleId: a.ruleId,
      account: a.account,
      region: a.region,
      sourceIp: a.sourceIp,
      groupKey: a.groupKey,
      title: a.title,
      origin: { type: a.origin.type, id: a.origin.id, name: a.origin.name, accountId: a.origin.accountId },
    },
    actor: { arn: a.actorArn },
    sessionNameCheck: null,
  };
}

export const SUPPRESSION_FIELDS = [
  'account',
  'region',
  'sourceIp',
  'groupKey',
  'title',
  'actor.arn',
  'origin.type',
  'origin.id',
  'origin.name',
  'origin.accountId',
];

export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
}

/** Compiles a suppression's match map; every problem is reported at once. */
export function compileSuppression(s: Suppression): (a: Alert) => boolean {
  const problems: string[] = [];
  const tests: Test[] = [];
  for (const [key, value] of Object.entries(s.match)) {
    const field = key.split('|')[0] ?? '';
    if (!SUPPRESSION_FIELDS.includes(field))
      problems.push(`unknown field '${field}' (one of ${SUPPRESSION_FIELDS.join(', ')})`);
    const t = compileEntry(key, value, { lists: new Map(), issue: (m) => problems.push(m) });
    if (t) tests.push(t);
  }
  if (problems.length) throw new SuppressionError(problems.join('; '));
  return (a) => (s.ruleId === null || s.ruleId === a.ruleId) && tests.every((t) => t(alertView(a)));
}

/** The id of the first suppression in force at `now` that covers the alert, or null. */
export function suppressionFor(
  a: Alert,
  suppressions: readonly { s: Suppression; test: (a: Alert) => boolean }[],
  now: number,
): string | null {
  for (const { s, test } of suppressions)
    if ((s.expiresAt === null || s.expiresAt > now) && test(a)) return s.id;
  return null;
}
