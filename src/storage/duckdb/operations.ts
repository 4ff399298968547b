// Operations queries in DuckDB: counts for /metrics, and retention (bulk deletion of old events).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { OutboxItem } from '../../domain/alert.js';
import type { Severity } from '../../domain/rule.js';
import type { OperationalCounts, PruneResult } from '../port.js';
import { BLOCK_BITS } from './text-index.js';
import { ts } from './values.js';

/** A grouped text column (never null here). */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Temporary-credential rows that may go: expired before the cutoff, not used by a kept event, and
 * no kept row descends from them (a kept session's chain still shows in `who`).
 */
const PRUNABLE_CREDENTIALS = `
  WITH RECURSIVE needed(k) AS (
    SELECT caller_access_key_id FROM credentials
    WHERE caller_access_key_id IS NOT NULL AND (expires_at IS NULL OR expires_at >= $1)
    UNION
    SELECT c.caller_access_key_id FROM credentials c JOIN needed ON c.access_key_id = needed.k
    WHERE c.caller_access_key_id IS NOT NULL)
  DELETE FROM credentials
  WHERE expires_at IS NOT NULL AND expires_at < $1
    AND access_key_id NOT IN (SELECT k FROM needed)
    AND access_key_id NOT IN (
      SELECT actor_access_key_id FROM events WHERE actor_access_key_id IS NOT NULL AND event_time >= $1)`;

/**
 * `maintenance` is a connection of its own: DuckDB isolates transactions per connection, so a prune
 * running beside the server's requests (serve --retain) neither sees nor joins their transactions;
 * a write conflict fails the prune, which the next run repeats.
 */
export function operationFunctions(conn: DuckDBConnection, maintenance: DuckDBConnection) {
  async function operationalCounts(): Promise<OperationalCounts> {
    const q = await conn.runAndReadAll('SELECT reason, count(*) AS n FROM quarantine GROUP BY 1');
    const a = await conn.runAndReadAll('SELECT severity, status, count(*) AS n FROM alerts GROUP BY 1, 2');
    const o = await conn.runAndReadAll('SELECT status, count(*) AS n FROM outbox GROUP BY 1');
    return {
      quarantineByReason: Object.fromEntries(q.getRowsJS().map(([r, n]) => [str(r), Number(n)])),
      alerts: a.getRowsJS().map(([severity, status, n]) => ({
        severity: str(severity) as Severity,
        status: str(status),
        count: Number(n),
      })),
      outboxByStatus: Object.fromEntries(
        o.getRowsJS().map(([st, n]) => [str(st) as OutboxItem['status'], Number(n)]),
      ),
    };
  }

  async function pruneEventsBefore(before: number, options: { dryRun?: boolean } = {}): Promise<PruneResult> {
    const cutoff = ts(before);
    await maintenance.run('BEGIN TRANSACTION');
    try {
      // Objects whose every stored event is older than the cutoff, found before their events go.
      await maintenance.run(
        `CREATE OR REPLACE TEMP TABLE prune_objects AS
         SELECT object_id FROM events GROUP BY object_id HAVING max(event_time) < $1`,
        [cutoff],
      );
      const events = await maintenance.run('DELETE FROM events WHERE event_time < $1', [cutoff]);
      const credentials = await maintenance.run(PRUNABLE_CREDENTIALS, [cutoff]);
      // The free-text index's blocks before the oldest kept event hold nothing left (text-index.ts).
      await maintenance.run(
        `DELETE FROM text_blocks WHERE block < (SELECT min(seq) >> ${BLOCK_BITS} FROM events)`,
      );
      const emptied = await maintenance.run(
        `UPDATE objects SET content = ''::BLOB
         WHERE object_id IN (SELECT object_id FROM temp.prune_objects) AND octet_length(content) > 0`,
      );
      const result = {
        events: Number(events.rowsChanged),
        credentials: Number(credentials.rowsChanged),
        objectsEmptied: Number(emptied.rowsChanged),
      };
      await maintenance.run(options.dryRun ? 'ROLLBACK' : 'COMMIT');
      // Freed blocks are reused by later inserts (DuckDB files do not shrink). A checkpoint refused
      // because another connection is writing is no failure: DuckDB checkpoints by itself later.
      if (!options.dryRun && result.events) await maintenance.run('CHECKPOINT').catch(() => undefined);
      return result;
    } catch (err) {
      // After a failed COMMIT there is no transaction left to roll back; the first error is the one to report.
      await maintenance.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  return { operationalCounts, pruneEventsBefore };
}
