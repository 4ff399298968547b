// The dispatcher: delivers due notifications from the outbox, with retries, backoff and a dead state.
import type { OutboxItem } from '../domain/alert.js';
import type { RetryConfig } from '../domain/notification.js';
import { nextDelay } from '../engine/route.js';
import { SinkError, type Notification, type Sink } from '../sinks/port.js';
import type { Store } from '../storage/port.js';

export interface DispatchSummary {
  delivered: number;
  retrying: number;
  dead: number;
  /** Not sent: their alerts were suppressed after the notification was written. */
  withdrawn: number;
}

/** Error text for the outbox: a sink's own message (sinks redact secrets), or a bug's name and message. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err).slice(0, 500);
}

async function deliver(
  item: OutboxItem,
  sink: Sink | undefined,
): Promise<{ ok: true } | { ok: false; isRetryable: boolean; error: string }> {
  if (!sink)
    return { ok: false, isRetryable: false, error: `destination '${item.destination}' is not configured` };
  try {
    await sink.send(JSON.parse(item.payload) as Notification);
    return { ok: true };
  } catch (err) {
    return { ok: false, isRetryable: !(err instanceof SinkError) || err.isRetryable, error: describe(err) };
  }
}

const IDS_PER_QUERY = 1000;

/**
 * The suppressions of the alerts of these notifications that are suppressed now, by alert id: a
 * suppression added after an alert was announced (in the outbox, not yet delivered: a destination
 * down, or a dispatcher that runs later) reaches its notification too.
 */
async function suppressedNow(store: Store, items: readonly OutboxItem[]): Promise<Map<string, string>> {
  const ids = [...new Set(items.filter((i) => i.kind === 'new').map((i) => i.alertId))];
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const chunk = ids.slice(i, i + IDS_PER_QUERY);
    const wanted = new Set(chunk);
    // The id filter also takes a prefix of the first id (for short ids typed by people): exact ids only.
    for (const a of await store.alerts({ ids: chunk, statuses: ['suppressed'], limit: chunk.length * 2 }))
      if (wanted.has(a.id)) out.set(a.id, a.suppressedBy ?? 'a suppression');
  }
  return out;
}

/**
 * Delivers every notification due now, one at a time per destination order. A notification is
 * marked delivered only after its sink accepted it: a crash in between sends it again with the same
 * id, which receivers use to drop the repeat; a delivered one is never sent again.
 */
export async function dispatchDue(
  store: Store,
  sinks: ReadonlyMap<string, Sink>,
  retry: RetryConfig,
  now: () => number,
  limit = 500,
): Promise<DispatchSummary> {
  const summary: DispatchSummary = { delivered: 0, retrying: 0, dead: 0, withdrawn: 0 };
  const due = await store.dueNotifications(now(), limit);
  const suppressed = await suppressedNow(store, due);
  for (const item of due) {
    const by = suppressed.get(item.alertId);
    if (by !== undefined) {
      const at = now();
      await store.recordDelivery(item.id, {
        status: 'withdrawn',
        attempts: item.attempts,
        nextAttemptAt: at,
        error: `not sent: the alert was suppressed by ${by} before delivery`,
        at,
      });
      summary.withdrawn++;
      continue;
    }
    const result = await deliver(item, sinks.get(item.destination));
    const attempts = item.attempts + 1;
    const at = now();
    if (result.ok) {
      await store.recordDelivery(item.id, {
        status: 'delivered',
        attempts,
        nextAttemptAt: at,
        error: null,
        at,
      });
      summary.delivered++;
    } else if (!result.isRetryable || attempts >= retry.maxAttempts) {
      await store.recordDelivery(item.id, {
        status: 'dead',
        attempts,
        nextAttemptAt: at,
        error: result.error,
        at,
      });
      summary.dead++;
    } else {
      await store.recordDelivery(item.id, {
        status: 'pending',
        attempts,
        nextAttemptAt: at + nextDelay(attempts, retry),
        error: result.error,
        at,
      });
      summary.retrying++;
    }
  }
  return summary;
}
