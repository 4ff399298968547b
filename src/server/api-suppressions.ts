// GET and POST /api/suppressions: list suppressions, and add one ("suppress similar" on an alert).
import { randomBytes } from 'node:crypto';
import type { Suppression } from '../domain/alert.js';
import type { RequestContext } from './context.js';
import { badRequest } from './http-error.js';

const DAY = 24 * 60 * 60 * 1000;
const MAX_DAYS = 3650;
const EXAMPLE =
  'e.g. {"ruleId":"iam-user-created","match":{"account":"111122223333","actor.arn":"arn:aws:iam::111122223333:user/alice"},"reason":"known job","expiresDays":30}';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const suppressionToJson = (s: Suppression) => ({
  ...s,
  createdAt: iso(s.createdAt),
  expiresAt: iso(s.expiresAt),
});

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${name}: expected a string, found ${typeof v}; ${EXAMPLE}`);
  return v;
}

/** Turns a request body into a suppression, or a 400 naming what is wrong. */
export function planSuppression(
  body: Record<string, unknown>,
  at: number,
  id = `sup-${randomBytes(4).toString('hex')}`,
): Suppression {
  const reason = optionalText(body, 'reason')?.trim();
  if (!reason) throw badRequest(`a suppression needs a reason; ${EXAMPLE}`);
  const ruleId = optionalText(body, 'ruleId') ?? null;
  const raw = body.match;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw badRequest(`match: expected an object of alert fields to values; ${EXAMPLE}`);
  const match: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'string') throw badRequest(`match.${k}: expected a string, found ${typeof v}`);
    match[k] = v;
  }
  if (!Object.keys(match).length && !ruleId)
    throw badRequest(`a suppression needs a ruleId or at least one match value; ${EXAMPLE}`);
  const days = body.expiresDays;
  let expiresAt: number | null = null;
  if (days !== undefined && days !== null && days !== '') {
    const n = Number(days);
    if (!Number.isFinite(n) || n <= 0 || n > MAX_DAYS)
      throw badRequest(
        `expiresDays=${JSON.stringify(days)}: expected a number of days from 1 to ${MAX_DAYS}`,
      );
    expiresAt = at + Math.round(n * DAY);
  }
  return { id, ruleId, match, reason, author: optionalText(body, 'by') ?? 'web', createdAt: at, expiresAt };
}

export async function getSuppressions({ store }: RequestContext): Promise<unknown> {
  const list = await store.suppressions();
  return { suppressions: list.map(suppressionToJson), count: list.length };
}

/**
 * Adds a suppression. `applied`: the open alerts it covers were decided again before the answer (and
 * are suppressed now); false where a watcher beside the server does it at its next evaluation.
 */
export async function addSuppression({
  store,
  body,
  now,
  applySuppressions,
}: RequestContext): Promise<unknown> {
  const suppression = planSuppression(body, now());
  await store.addSuppression(suppression);
  if (applySuppressions) await applySuppressions();
  return { suppression: suppressionToJson(suppression), applied: applySuppressions !== undefined };
}
