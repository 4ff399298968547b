// /api/alerts: list, one alert with its history and first events, and the triage actions.
import { ALERT_STATUSES } from '../domain/alert.js';
import { eventToJson } from '../domain/event-json.js';
import { alertToJson, listAlerts, type AlertView } from '../pipeline/alerts-view.js';
import { attachIdentity } from '../pipeline/identity.js';
import type { JsonObject } from '../domain/json.js';
import { alertToOcsf } from '../export/ocsf-alert.js';
import type { FileResult, RequestContext } from './context.js';
import { badRequest, notFound } from './http-error.js';
import { alertQueryOf, oneOfParam } from './params.js';
import { planTriage, type TriageAction } from './triage.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function toJson(a: AlertView): JsonObject {
  return {
    ...alertToJson(a),
    assignee: a.assignee,
    resolution: a.resolution,
    ruleTitle: a.ruleTitle,
    suppressedBy: a.suppressedBy ?? null,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}

async function findAlert({ store, rules, params }: RequestContext): Promise<AlertView> {
  const id = params.id ?? '';
  const found = await listAlerts(store, rules, { ids: [id], statuses: [...ALERT_STATUSES], limit: 2 });
  if (found.length > 1) throw badRequest(`alert id ${id} is ambiguous; give more characters`);
  if (!found[0]) throw notFound(`no alert with id ${id}`);
  return found[0];
}

export async function getAlerts(ctx: RequestContext): Promise<unknown> {
  const alerts = await listAlerts(ctx.store, ctx.rules, alertQueryOf(ctx.query));
  return { alerts: alerts.map(toJson), count: alerts.length };
}

/** GET /api/alerts/export: the alerts a listing matches as JSON lines, or as OCSF Detection Findings. */
export async function exportAlerts(ctx: RequestContext): Promise<FileResult> {
  const format = oneOfParam(ctx.query, 'format', ['jsonl', 'ocsf'] as const) ?? 'jsonl';
  const alerts = await listAlerts(ctx.store, ctx.rules, alertQueryOf(ctx.query));
  const stamp = new Date(ctx.now()).toISOString().replace(/[:.]/g, '-');
  const serialize = format === 'ocsf' ? alertToOcsf : toJson;
  return {
    kind: 'file',
    type: 'application/x-ndjson; charset=utf-8',
    filename: `trailwatch-alerts-${stamp}${format === 'ocsf' ? '.ocsf' : ''}.jsonl`,
    body: alerts.map((a) => JSON.stringify(serialize(a)) + '\n').join(''),
  };
}

export async function getAlert(ctx: RequestContext): Promise<unknown> {
  const alert = await findAlert(ctx);
  const history = await ctx.store.alertHistory(alert.id);
  const ids = alert.eventIds.slice(0, 20);
  const events = ids.length
    ? await attachIdentity(
        ctx.store,
        await ctx.store.searchEvents({ eventIds: ids, accounts: [alert.account], limit: 40 }),
        ctx.policy,
      )
    : [];
  return {
    alert: toJson(alert),
    history: history.map((h) => ({ ...h, at: iso(h.at) })),
    events: events.map(eventToJson),
  };
}

/** The handler of POST /api/alerts/{id}/<action>. */
export const changeAlert =
  (action: TriageAction) =>
  async (ctx: RequestContext): Promise<unknown> => {
    const alert = await findAlert(ctx);
    const update = planTriage(action, ctx.body, ctx.now());
    if (!(await ctx.store.changeAlert(alert.id, update))) throw notFound(`no alert with id ${alert.id}`);
    return { alert: toJson(await findAlert({ ...ctx, params: { id: alert.id } })) };
  };
