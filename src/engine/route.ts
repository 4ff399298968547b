// Routing: which destinations an alert goes to, by severity, rule, ATT&CK tag and account. Pure.
import { createHash } from 'node:crypto';
import type { Alert, OutboxItem } from '../domain/alert.js';
import type { RetryConfig, RouteConfig } from '../domain/notification.js';
import { SEVERITIES, type RuleMeta } from '../domain/rule.js';

export function destinationsFor(
  alert: Alert,
  meta: RuleMeta | undefined,
  routes: readonly RouteConfig[],
): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.minSeverity && SEVERITIES.indexOf(alert.severity) < SEVERITIES.indexOf(r.minSeverity)) continue;
    if (r.rules && !r.rules.includes(alert.ruleId)) continue;
    if (r.accounts && !r.accounts.includes(alert.account)) continue;
    if (r.tags && !r.tags.some((t) => meta?.tactics.includes(t) || meta?.techniques.includes(t))) continue;
    for (const d of r.destinations) out.add(d);
  }
  return [...out];
}

export function outboxId(alertId: string, destination: string): string {
  return createHash('sha256').update(`${alertId}\u0000${destination}`).digest('hex').slice(0, 24);
}

/** Exponential backoff: initial × 2^(attempts−1), capped. */
export function nextDelay(attempts: number, retry: RetryConfig): number {
  return Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, attempts - 1));
}

export function outboxItem(
  alertId: string,
  destination: string,
  payload: string,
  now: number,
  kind: OutboxItem['kind'] = 'new',
): OutboxItem {
  return {
    id: kind === 'new' ? outboxId(alertId, destination) : outboxId(`${alertId}:${now}`, destination),
    alertId,
    destination,
    kind,
    payload,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    deliveredAt: null,
  };
}
