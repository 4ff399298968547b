// Evaluation: turns stored, not yet evaluated matches into alerts. Restart-safe and idempotent.
import type { Alert, OutboxItem, PendingKey, Suppression } from '../domain/alert.js';
import type { RouteConfig } from '../domain/notification.js';
import { destinationsFor, outboxItem } from '../engine/route.js';
import type { Notification } from '../sinks/port.js';
import { alertToJson, type AlertView } from './alerts-view.js';
import type { CompiledRule, Severity } from '../domain/rule.js';
import { evaluateSequence, evaluateSummary, learningEnd, reachesThreshold } from '../engine/evaluate.js';
import { keySpan } from '../engine/match.js';
import { compileSuppression, suppressionFor } from '../engine/suppress.js';
import type { Store, TimeSpan } from '../storage/port.js';

export interface EvaluationSummary {
  keys: number;
  alerts: number;
  /** Alerts written or updated, by severity. */
  bySeverity: Partial<Record<Severity, number>>;
}

const KEYS_PER_ROUND = 5000;
/** Times a round's keys are decided while the suppressions keep changing under it. */
const MAX_DECISIONS = 8;

interface CompiledSuppression {
  s: Suppression;
  test: (a: Alert) => boolean;
}

const compiled = (list: readonly Suppression[]): CompiledSuppression[] =>
  list.map((s) => ({ s, test: compileSuppression(s) }));

/** Suppressions never change but by being added or removed: their ids say whether a list moved. */
const sameIds = (list: readonly Suppression[], known: readonly CompiledSuppression[]): boolean =>
  list.length === known.length && list.every((s, i) => s.id === known[i]?.s.id);
/** Windows of windowed keys less than this apart are read as one span (fewer terms to test). */
const SPAN_GAP_MS = 86_400_000;

/**
 * The keys in at most two groups, each read by one store call: windowed keys (match and threshold
 * rules) with the spans their windows cover, so that the store reads only those times (a batch's
 * keys are mostly of a few days, but late files bring older ones); other keys unbounded.
 */
function bySpan(
  keys: readonly PendingKey[],
  byId: ReadonlyMap<string, CompiledRule>,
): { keys: string[]; within?: TimeSpan[] }[] {
  const windowed: string[] = [];
  const spans: TimeSpan[] = [];
  const rest: string[] = [];
  for (const k of keys) {
    const rule = byId.get(k.ruleId);
    const span = rule && keySpan(rule, k.from);
    if (span) {
      windowed.push(k.alertKey);
      spans.push(span);
    } else rest.push(k.alertKey);
  }
  spans.sort((a, b) => a.from - b.from);
  const within: TimeSpan[] = [];
  for (const span of spans) {
    const last = within[within.length - 1];
    if (last && span.from - last.to <= SPAN_GAP_MS) last.to = Math.max(last.to, span.to);
    else within.push({ ...span });
  }
  return [...(windowed.length ? [{ keys: windowed, within }] : []), ...(rest.length ? [{ keys: rest }] : [])];
}

/**
 * The new-value keys seen in their rule's learning period: one store read per learning period,
 * bounded by its end, where a read of every match of the keys took about a second at 10M events.
 */
async function seenWhileLearning(
  store: Store,
  keys: readonly PendingKey[],
  byId: ReadonlyMap<string, CompiledRule>,
  dataStart: number,
): Promise<Set<string>> {
  const byEnd = new Map<number, string[]>();
  for (const k of keys) {
    const rule = byId.get(k.ruleId);
    if (!rule) continue;
    const end = learningEnd(rule, dataStart);
    const group = byEnd.get(end);
    if (group) group.push(k.alertKey);
    else byEnd.set(end, [k.alertKey]);
  }
  const seen = new Set<string>();
  for (const [end, group] of byEnd)
    for (const k of (await store.keyFirstSeen(group, end)).keys()) seen.add(k);
  return seen;
}

/** One store read per group of `bySpan`, the results merged. */
async function readBySpan<T>(
  keys: readonly PendingKey[],
  byId: ReadonlyMap<string, CompiledRule>,
  read: (keys: string[], within?: TimeSpan[]) => Promise<Map<string, T>>,
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const g of bySpan(keys, byId)) for (const [k, v] of await read(g.keys, g.within)) out.set(k, v);
  return out;
}

/**
 * Evaluates every pending alert key; matches of rules not loaded now are marked evaluated without
 * alerts. A sequence found earlier is never removed by later matches (they can only add occurrences).
 */
/** Where new alerts are announced; without it, no notification is written. */
export interface NotifySettings {
  routes: readonly RouteConfig[];
  uiBaseUrl: string | null;
}

/** The notifications for alerts that did not exist before, written with them. */
async function notificationsFor(
  store: Store,
  alerts: readonly Alert[],
  byId: ReadonlyMap<string, CompiledRule>,
  notify: NotifySettings | undefined,
  now: number,
): Promise<OutboxItem[]> {
  if (!notify?.routes.length || !alerts.length) return [];
  const existing = new Set<string>();
  for (let i = 0; i < alerts.length; i += 1000) {
    const ids = alerts.slice(i, i + 1000).map((a) => a.id);
    for (const a of await store.alerts({
      ids,
      statuses: ['open', 'acknowledged', 'resolved', 'suppressed'],
      limit: ids.length * 2,
    }))
      existing.add(a.id);
  }
  const items: OutboxItem[] = [];
  for (const a of alerts) {
    if (existing.has(a.id) || a.suppressedBy) continue;
    const meta = byId.get(a.ruleId)?.meta;
    for (const destination of destinationsFor(a, meta, notify.routes)) {
      const view: AlertView = {
        ...a,
        status: 'open',
        createdAt: now,
        updatedAt: now,
        assignee: null,
        resolution: null,
        tactics: meta?.tactics ?? [],
        techniques: meta?.techniques ?? [],
        runbook: meta?.runbook ?? '',
        ruleTitle: meta?.title ?? a.ruleId,
      };
      const item = outboxItem(a.id, destination, '', now);
      const notification: Notification = {
        id: item.id,
        destination,
        kind: 'new',
        alert: alertToJson(view),
        url: notify.uiBaseUrl ? `${notify.uiBaseUrl}/alerts/${a.id}` : null,
        createdAt: now,
      };
      items.push({ ...item, payload: JSON.stringify(notification) });
    }
  }
  return items;
}

export async function evaluatePending(
  store: Store,
  rules: readonly CompiledRule[],
  now: number,
  notify?: NotifySettings,
): Promise<EvaluationSummary> {
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  let suppressions = compiled(await store.suppressions());
  const suppress = (a: Alert): Alert => ({ ...a, suppressedBy: suppressionFor(a, suppressions, now) });
  const summary: EvaluationSummary = { keys: 0, alerts: 0, bySeverity: {} };
  const dataStart = await store.dataStart();
  // Matches but no stored event: another writer is between storing a batch's matches and its events
  // (ClickHouse writes them in that order). A new-value key cannot tell its learning period from
  // nothing: it stays pending for that writer's own evaluation after its events are stored.
  const isDeferred = (k: PendingKey): boolean =>
    dataStart === null && byId.get(k.ruleId)?.type === 'new-value';
  for (;;) {
    const pending = (await store.pendingAlertKeys(KEYS_PER_ROUND)).filter((k) => !isDeferred(k));
    if (!pending.length) return summary;
    const alerts: Alert[] = [];
    const replace: string[] = [];
    // Sequences read the matches around the new ones; other types need only a summary per key.
    const sequences = pending.filter((k) => byId.get(k.ruleId)?.type === 'sequence');
    const others = pending.filter((k) => byId.get(k.ruleId) && byId.get(k.ruleId)?.type !== 'sequence');
    // A threshold key below its threshold makes no alert: counting is enough to know that.
    const counts = await readBySpan(
      others.filter((k) => byId.get(k.ruleId)?.type === 'threshold'),
      byId,
      (keys, within) => store.keyCounts(keys, within),
    );
    // A new-value key seen inside its learning period makes no alert: knowing whether it was is
    // enough (such keys gather matches from every event of a known value).
    const newValueKeys = others.filter((k) => byId.get(k.ruleId)?.type === 'new-value');
    const learned =
      dataStart === null ? new Set<string>() : await seenWhileLearning(store, newValueKeys, byId, dataStart);
    const reaching = others.filter((k) => {
      const rule = byId.get(k.ruleId) as CompiledRule;
      if (rule.type === 'new-value') return !learned.has(k.alertKey);
      const c = counts.get(k.alertKey);
      return rule.type !== 'threshold' || (c !== undefined && reachesThreshold(rule, c));
    });
    const summaries = await readBySpan(reaching, byId, (keys, within) => store.keySummaries(keys, within));
    for (const k of others) {
      const rule = byId.get(k.ruleId);
      const s = summaries.get(k.alertKey);
      if (rule && s) alerts.push(...evaluateSummary(rule, s, { dataStart }));
      replace.push(k.alertKey);
    }
    for (const k of sequences) {
      const rule = byId.get(k.ruleId) as CompiledRule;
      const window = rule.sequence?.windowMs ?? 0;
      // An occurrence with a new match starts at most a window before it. Each start's occurrence
      // depends only on the matches in the window after it: read those, and none without a start.
      const first = rule.sequence?.steps[0];
      const starts = await store.matchesBetween(k.alertKey, k.from - window, k.to, first);
      const start = starts[0]?.eventTime;
      const end = starts[starts.length - 1]?.eventTime;
      if (start !== undefined && end !== undefined)
        alerts.push(...evaluateSequence(rule, await store.matchesBetween(k.alertKey, start, end + window)));
    }
    // Suppressions are read again after the save: one added or removed meanwhile (in the web UI
    // beside `serve --watch`, or by another writer) is applied by deciding the keys again. A change
    // written after that read finds this round's alerts stored, and makes their keys pending.
    for (let attempt = 1; ; attempt++) {
      const decided = alerts.map(suppress);
      const outbox = await notificationsFor(store, decided, byId, notify, now);
      await store.saveAlerts(
        decided,
        pending.map((k) => k.alertKey),
        replace,
        outbox,
      );
      const after = await store.suppressions();
      if (sameIds(after, suppressions) || attempt === MAX_DECISIONS) break;
      suppressions = compiled(after);
    }
    summary.keys += pending.length;
    summary.alerts += alerts.length;
    for (const a of alerts) summary.bySeverity[a.severity] = (summary.bySeverity[a.severity] ?? 0) + 1;
  }
}
