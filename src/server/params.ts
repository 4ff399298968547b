// Query-string parsing for the API: the filters of `trailwatch search` and `trailwatch alerts`, 400 on bad input.
import { ALERT_STATUSES } from '../domain/alert.js';
import { SEVERITIES } from '../domain/rule.js';
import { parseTimeArg } from '../parse/time.js';
import type { AlertQuery, EventQuery } from '../storage/port.js';
import { badRequest } from './http-error.js';

export const MAX_LIMIT = 1000;

/** All values of a parameter, repeated or comma-separated. */
export function listParam(q: URLSearchParams, name: string): string[] | undefined {
  const values = q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
}

export function timeParam(q: URLSearchParams, name: string, now: number): number | undefined {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  const ms = parseTimeArg(value, now);
  if (ms === null)
    throw badRequest(`${name}=${value}: expected a time such as 2h, 7d, 2024-05-01 or 2024-05-01T12:00:00Z`);
  return ms;
}

export function limitParam(q: URLSearchParams, fallback: number, max = MAX_LIMIT, name = 'limit'): number {
  const value = q.get(name);
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > max)
    throw badRequest(
      `${name}=${value}: expected a whole number from 1 to ${max}, e.g. ${name}=${Math.min(max, 100)}`,
    );
  return n;
}

export function oneOfParam<T extends string>(
  q: URLSearchParams,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  if (!allowed.includes(value as T))
    throw badRequest(`${name}=${value}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

const EVENT_LISTS: [string, keyof EventQuery][] = [
  ['eventId', 'eventIds'],
  ['eventName', 'eventNames'],
  ['eventSource', 'eventSources'],
  ['user', 'userNames'],
  ['accessKeyId', 'accessKeyIds'],
  ['requestId', 'requestIds'],
  ['sharedEventId', 'sharedEventIds'],
  ['account', 'accounts'],
  ['region', 'regions'],
  ['sourceIp', 'sourceIps'],
  ['errorCode', 'errorCodes'],
  ['origin', 'origins'],
  ['identityType', 'identityTypes'],
  ['eventCategory', 'eventCategories'],
  ['resourceType', 'resourceTypes'],
  ['resourceName', 'resourceNames'],
];

/** Every parameter eventQueryOf reads (the OpenAPI document lists each). */
export const EVENT_PARAMS: readonly string[] = [
  ...EVENT_LISTS.map(([param]) => param),
  'readOnly',
  'outcome',
  'since',
  'until',
  'text',
  'before',
  'limit',
];

/** The filters of a search; `maxLimit` is larger for exports. */
export function eventQueryOf(q: URLSearchParams, now: number, maxLimit = MAX_LIMIT): EventQuery {
  const query: EventQuery = {};
  for (const [param, key] of EVENT_LISTS) {
    const values = listParam(q, param);
    if (values) (query as Record<string, unknown>)[key] = values;
  }
  const outcome = oneOfParam(q, 'outcome', ['success', 'failure'] as const);
  if (outcome) query.outcome = outcome;
  const readOnly = oneOfParam(q, 'readOnly', ['true', 'false'] as const);
  if (readOnly) query.readOnly = readOnly === 'true';
  const since = timeParam(q, 'since', now);
  if (since !== undefined) query.since = since;
  const until = timeParam(q, 'until', now);
  if (until !== undefined) query.until = until;
  const text = q.get('text');
  if (text) query.text = text;
  const before = cursorParam(q, 'before');
  if (before) query.before = before;
  query.limit = limitParam(q, Math.min(100, maxLimit), maxLimit);
  return query;
}

/** The cursor of the event a page ended with: `<epochMs>:<recipientAccountId>:<eventId>`. */
export function cursorOf(event: { eventTime: number; eventId: string; recipientAccountId: string }): string {
  return `${event.eventTime}:${event.recipientAccountId}:${event.eventId}`;
}

export function cursorParam(q: URLSearchParams, name: string): EventQuery['before'] {
  const value = q.get(name);
  if (value === null || value === '') return undefined;
  // <epochMs>:<account>:<eventId> (account ids hold no colon; event ids may)
  const m = /^(\d{1,15}):([^:]*):(.+)$/s.exec(value);
  if (!m?.[1] || m[2] === undefined || !m[3])
    throw badRequest(
      `${name}=${value}: expected a cursor <epochMs>:<account>:<eventId> as returned in "next", e.g. ${name}=1718205600000:111122223333:3f2a…`,
    );
  return { time: Number(m[1]), account: m[2], eventId: m[3] };
}

export function alertQueryOf(q: URLSearchParams): AlertQuery {
  const query: AlertQuery = { limit: limitParam(q, 100) };
  const min = oneOfParam(q, 'minSeverity', SEVERITIES);
  if (min) query.minSeverity = min;
  const rules = listParam(q, 'rule');
  if (rules) query.ruleIds = rules;
  const statuses = listParam(q, 'status') ?? ['open', 'acknowledged', 'resolved'];
  for (const s of statuses)
    if (!(ALERT_STATUSES as readonly string[]).includes(s))
      throw badRequest(`status=${s}: expected one of ${ALERT_STATUSES.join(', ')}`);
  query.statuses = statuses;
  return query;
}
