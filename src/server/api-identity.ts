// GET /api/who and /api/rules: identity profiles with their alerts, and the loaded rules' metadata.
import { ALERT_STATUSES } from '../domain/alert.js';
import type { RuleStatus } from '../domain/rule.js';
import { alertToJson, listAlerts } from '../pipeline/alerts-view.js';
import { whoIs } from '../pipeline/who.js';
import type { RequestContext } from './context.js';
import { badRequest } from './http-error.js';

export async function getWho({ store, rules, query }: RequestContext): Promise<unknown> {
  const term = query.get('q')?.trim();
  if (!term) throw badRequest('who needs q: an access key id, ARN, user name or session name, e.g. ?q=alice');
  const found = await whoIs(store, term);
  const profiles = [];
  for (const profile of found) {
    const alerts = await listAlerts(store, rules, {
      origins: [profile.origin.id],
      statuses: [...ALERT_STATUSES],
      limit: MAX_WHO_ALERTS,
    });
    profiles.push({ ...profile, alerts: alerts.map(alertToJson) });
  }
  return { profiles, count: profiles.length };
}

const MAX_WHO_ALERTS = 100;
// Only stable and test rules run by default; experimental and deprecated ones must be asked for.
const ENABLED_STATUSES: readonly RuleStatus[] = ['stable', 'test'];

const WEEK = 7 * 24 * 60 * 60 * 1000;

/** Alerts per rule over the last 7 days of data (not of the clock, so an old archive still counts). */
export async function getRules({ store, rules, now }: RequestContext): Promise<unknown> {
  const newest = (await store.stats()).newestEventTime ?? now();
  const since = newest - WEEK;
  const alerts = await store.alerts({
    statuses: [...ALERT_STATUSES],
    since,
    limit: 1_000_000,
  });
  const perRule = new Map<string, number>();
  for (const a of alerts) perRule.set(a.ruleId, (perRule.get(a.ruleId) ?? 0) + 1);
  const list = rules.map((r) => ({
    id: r.meta.id,
    title: r.meta.title,
    severity: r.meta.severity,
    status: r.meta.status,
    enabled: ENABLED_STATUSES.includes(r.meta.status),
    tactics: r.meta.tactics,
    techniques: r.meta.techniques,
    type: r.type,
    alerts7d: perRule.get(r.meta.id) ?? 0,
  }));
  return { rules: list, count: list.length, alertsSince: new Date(since).toISOString() };
}
