// The notification outbox in ClickHouse: a delivery writes a new version of the row; reads are FINAL.
import type { OutboxItem } from '../../domain/alert.js';
import { rowToOutboxItem } from '../rows.js';
import type { Connection } from './client.js';
import { sqlList, sqlValue } from './sql.js';
import { nextVersion } from './version.js';

const COLUMNS = [
  'id',
  'version',
  'alert_id',
  'destination',
  'kind',
  'payload',
  'status',
  'attempts',
  'next_ms',
  'last_error',
  'created_ms',
  'delivered_ms',
];

const itemRow = (i: OutboxItem, version: bigint) => [
  i.id,
  version,
  i.alertId,
  i.destination,
  i.kind,
  i.payload,
  i.status,
  i.attempts,
  i.nextAttemptAt,
  i.lastError,
  i.createdAt,
  i.deliveredAt,
];

export function outboxFunctions(conn: Connection) {
  /**
   * Adds the items whose id is not stored yet. First versions are 0, so a delivery recorded
   * meanwhile (any later version) always wins over a concurrent re-enqueue of the same id.
   */
  async function enqueue(items: readonly OutboxItem[]): Promise<void> {
    if (!items.length) return;
    const stored = new Set<string>();
    for (let i = 0; i < items.length; i += 5000) {
      const ids = items.slice(i, i + 5000).map((x) => x.id);
      for (const row of await conn.rows(`SELECT id FROM outbox WHERE id IN ${sqlList(ids)}`))
        stored.add(String(row.id));
    }
    const fresh = items.filter((i) => !stored.has(i.id));
    await conn.insert(
      'outbox',
      COLUMNS,
      fresh.map((i) => itemRow(i, 0n)),
    );
  }

  async function dueNotifications(now: number, limit: number): Promise<OutboxItem[]> {
    const rows = await conn.rows(
      `SELECT * FROM outbox FINAL WHERE status = 'pending' AND next_ms <= ${sqlValue(now)}
       ORDER BY created_ms, id LIMIT ${Math.floor(limit)}`,
    );
    return rows.map(rowToOutboxItem);
  }

  async function recordDelivery(
    id: string,
    o: {
      status: OutboxItem['status'];
      attempts: number;
      nextAttemptAt: number;
      error: string | null;
      at: number;
    },
  ): Promise<void> {
    const [row] = await conn.rows(`SELECT * FROM outbox FINAL WHERE id = ${sqlValue(id)}`);
    if (!row) return;
    const current = rowToOutboxItem(row);
    const next: OutboxItem = {
      ...current,
      status: o.status,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      lastError: o.error,
      deliveredAt: o.status === 'delivered' ? o.at : current.deliveredAt,
    };
    await conn.insert('outbox', COLUMNS, [itemRow(next, nextVersion())]);
  }

  async function notifications(
    statuses: readonly OutboxItem['status'][],
    limit: number,
  ): Promise<OutboxItem[]> {
    if (!statuses.length) return [];
    const rows = await conn.rows(
      `SELECT * FROM outbox FINAL WHERE status IN ${sqlList(statuses)}
       ORDER BY created_ms DESC, id LIMIT ${Math.floor(limit)}`,
    );
    return rows.map(rowToOutboxItem);
  }

  return { enqueue, dueNotifications, recordDelivery, notifications };
}
