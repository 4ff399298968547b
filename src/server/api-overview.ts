// GET /api/overview: what is stored, alerts by severity and status, and the top values since a time.
import { ALERT_STATUSES } from '../domain/alert.js';
import { SEVERITIES } from '../domain/rule.js';
import type { FacetField } from '../storage/port.js';
import type { RequestContext } from './context.js';
import { timeParam } from './params.js';

const DAY = 24 * 60 * 60 * 1000;
const FACETS: FacetField[] = [
  'eventName',
  'eventSource',
  'sourceIpAddress',
  'recipientAccountId',
  'awsRegion',
  'errorCode',
];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export async function getOverview({ store, query, now }: RequestContext): Promise<unknown> {
  const stats = await store.stats();
  // The default window follows the data, so an archive loaded long ago still shows something.
  const since = timeParam(query, 'since', now()) ?? (stats.newestEventTime ?? now()) - DAY;
  const summary = await store.summarizeEvents({ since }, FACETS, 10);
  const alerts = await store.alerts({ statuses: [...ALERT_STATUSES], limit: 100_000 });
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  const byStatus = Object.fromEntries(ALERT_STATUSES.map((s) => [s, 0]));
  const origins = new Map<string, { id: string; name: string; type: string; count: number }>();
  for (const a of alerts) {
    bySeverity[a.severity] = (bySeverity[a.severity] ?? 0) + 1;
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    const o = origins.get(a.origin.id) ?? { ...a.origin, count: 0 };
    o.count += 1;
    origins.set(a.origin.id, o);
  }
  const freshness = await store.freshness();
  const f = summary.facets;
  return {
    stats: {
      events: stats.events,
      objects: stats.objects,
      quarantined: stats.quarantined,
      newestEventTime: iso(stats.newestEventTime),
      oldestEventTime: iso(stats.oldestEventTime),
    },
    since: new Date(since).toISOString(),
    window: { events: summary.count, errors: summary.errors },
    alerts: { total: alerts.length, bySeverity, byStatus },
    topOrigins: [...origins.values()].sort((a, b) => b.count - a.count).slice(0, 10),
    topEventNames: f.eventName ?? [],
    topEventSources: f.eventSource ?? [],
    topSourceIps: f.sourceIpAddress ?? [],
    accounts: f.recipientAccountId ?? [],
    regions: f.awsRegion ?? [],
    errorCodes: (f.errorCode ?? []).filter((c) => c.value !== null),
    freshness: freshness.map((a) => ({
      account: a.account,
      newestEvent: new Date(a.newestEvent).toISOString(),
      lastIngest: new Date(a.lastIngest).toISOString(),
      lagMs: a.lastIngest - a.newestEvent,
    })),
  };
}
