// Alerts as people and programs read them: rule metadata attached, the origin re-resolved now.
import type { Origin } from '../domain/identity.js';
import type { JsonObject } from '../domain/json.js';
import type { CompiledRule } from '../domain/rule.js';
import type { AlertQuery, Store, StoredAlert } from '../storage/port.js';
import { attachIdentity } from './identity.js';

export interface AlertView extends StoredAlert {
  tactics: string[];
  techniques: string[];
  runbook: string;
  ruleTitle: string;
}

/** Lists alerts; each alert's origin is the best resolution of its first event known now. */
export async function listAlerts(
  store: Store,
  rules: readonly CompiledRule[],
  query: AlertQuery,
): Promise<AlertView[]> {
  const alerts = await store.alerts(query);
  const firstIds = [...new Set(alerts.map((a) => a.eventIds[0]).filter((id): id is string => !!id))];
  const events = firstIds.length
    ? await attachIdentity(
        store,
        await store.searchEvents({ eventIds: firstIds, limit: firstIds.length * 4 }),
      )
    : [];
  const origins = new Map<string, Origin>(
    events.map((e) => [`${e.eventId}\u0000${e.recipientAccountId}`, e.resolution.origin]),
  );
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  return alerts.map((a) => {
    const rule = byId.get(a.ruleId);
    return {
      ...a,
      origin: origins.get(`${a.eventIds[0] ?? ''}\u0000${a.account}`) ?? a.origin,
      tactics: rule?.meta.tactics ?? [],
      techniques: rule?.meta.techniques ?? [],
      runbook: rule?.meta.runbook ?? '',
      ruleTitle: rule?.meta.title ?? a.ruleId,
    };
  });
}

/** The stable JSON shape of an alert (`--format jsonl`). */
export function alertToJson(a: AlertView): JsonObject {
  return {
    id: a.id,
    ruleId: a.ruleId,
    title: a.title,
    severity: a.severity,
    status: a.status,
    tactics: a.tactics,
    techniques: a.techniques,
    firstSeen: new Date(a.firstSeen).toISOString(),
    lastSeen: new Date(a.lastSeen).toISOString(),
    count: a.count,
    groupKey: a.groupKey,
    eventIds: a.eventIds,
    actor: { arn: a.actorArn, origin: a.origin as unknown as JsonObject },
    account: a.account,
    region: a.region,
    sourceIp: a.sourceIp,
    runbook: a.runbook,
  };
}
