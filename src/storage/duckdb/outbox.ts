// The notification outbox in DuckDB: written with the alerts, read and updated by the dispatcher.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { OutboxItem } from '../../domain/alert.js';
import { rowToOutboxItem } from '../rows.js';
import { ts } from './values.js';

const SELECT = `SELECT *, epoch_ms(next_attempt_at) AS next_ms, epoch_ms(created_at) AS created_ms,
  epoch_ms(delivered_at) AS delivered_ms FROM outbox`;

/** Inserts outbox rows on the caller's open transaction; an existing id is left as it is. */
export async function insertOutbox(conn: DuckDBConnection, items: readonly OutboxItem[]): Promise<void> {
  for (const i of items)
    await conn.run(
      `INSERT INTO outbox VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      [
        i.id,
        i.alertId,
        i.destination,
        i.kind,
        i.payload,
        i.status,
        i.attempts,
        ts(i.nextAttemptAt),
        i.lastError,
        ts(i.createdAt),
        i.deliveredAt === null ? null : ts(i.deliveredAt),
      ],
    );
}

export function outboxFunctions(conn: DuckDBConnection) {
  async function enqueue(items: readonly OutboxItem[]): Promise<void> {
    await conn.run('BEGIN TRANSACTION');
    try {
      await insertOutbox(conn, items);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }

  async function dueNotifications(now: number, limit: number): Promise<OutboxItem[]> {
    const r = await conn.runAndReadAll(
      `${SELECT} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ${Math.floor(limit)}`,
      [ts(now)],
    );
    return r.getRowObjects().map(rowToOutboxItem);
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
    await conn.run(
      `UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
         delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?`,
      [o.status, o.attempts, ts(o.nextAttemptAt), o.error, o.status, ts(o.at), id],
    );
  }

  async function notifications(
    statuses: readonly OutboxItem['status'][],
    limit: number,
  ): Promise<OutboxItem[]> {
    if (!statuses.length) return [];
    const r = await conn.runAndReadAll(
      `${SELECT} WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at DESC, id LIMIT ${Math.floor(limit)}`,
      [...statuses],
    );
    return r.getRowObjects().map(rowToOutboxItem);
  }

  return { enqueue, dueNotifications, recordDelivery, notifications };
}
