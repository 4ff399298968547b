// Operations over ClickHouse: counts for /metrics, and retention. Deleting rows is a mutation
// (ALTER TABLE … DELETE/UPDATE) that each node applies to its own local table in the background;
// retention waits until every node reports its mutations done, so a read that follows sees the result.
import type { OutboxItem } from '../../domain/alert.js';
import type { Severity } from '../../domain/rule.js';
import type { OperationalCounts, PruneResult } from '../port.js';
import { connect, type Connection } from './client.js';
import { text } from '../rows.js';
import { chunks, sqlList, sqlValue } from './sql.js';
import type { ClickhouseAddress } from './url.js';

/** How long retention waits for a node to finish its mutations before it reports a failure. */
const MUTATION_TIMEOUT_MS = 10 * 60_000;

export function operationFunctions(conn: Connection, address: ClickhouseAddress) {
  async function operationalCounts(): Promise<OperationalCounts> {
    const q = await conn.rows('SELECT reason, count() AS n FROM quarantine FINAL GROUP BY reason');
    const a = await conn.rows(
      'SELECT severity, status, count() AS n FROM alerts FINAL WHERE deleted = 0 GROUP BY severity, status',
    );
    const o = await conn.rows('SELECT status, count() AS n FROM outbox FINAL GROUP BY status');
    return {
      quarantineByReason: Object.fromEntries(q.map((r) => [text(r, 'reason') ?? '', Number(r.n)])),
      alerts: a.map((r) => ({
        severity: (text(r, 'severity') ?? '') as Severity,
        status: text(r, 'status') ?? '',
        count: Number(r.n),
      })),
      outboxByStatus: Object.fromEntries(
        o.map((r) => [(text(r, 'status') ?? '') as OutboxItem['status'], Number(r.n)]),
      ),
    };
  }

  /** Runs `ALTER TABLE <table> <action>` on each node's own table and waits until all are applied. */
  async function mutate(table: string, action: string): Promise<void> {
    const local = address.cluster ? `${table}_local` : table;
    for (const url of address.nodes) {
      const node = connect({
        url,
        username: address.username,
        password: address.password,
        database: address.database,
      });
      try {
        await node.run(`ALTER TABLE ${address.database}.${local} ${action}`);
        const started = Date.now();
        for (;;) {
          const [pending] = await node.rows(
            `SELECT count() AS n FROM system.mutations
             WHERE database = ${sqlValue(address.database)} AND table = ${sqlValue(local)} AND is_done = 0`,
          );
          if (Number(pending?.n ?? 0) === 0) break;
          if (Date.now() - started > MUTATION_TIMEOUT_MS)
            throw new Error(`ClickHouse at ${url} has not finished deleting from ${local} after 10 minutes`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await node.close();
      }
    }
  }

  /**
   * Expired temporary credentials no kept event used and no kept row descends from, as the DuckDB
   * store decides (ClickHouse 18.16 has no recursive CTE: the ancestry is walked here).
   */
  async function prunableCredentials(cut: number): Promise<string[]> {
    const expired = (
      await conn.rows(
        `SELECT access_key_id FROM credentials FINAL WHERE expires_ms IS NOT NULL AND expires_ms < ${cut}`,
      )
    ).map((r) => text(r, 'access_key_id') ?? '');
    if (!expired.length) return [];
    const callerOf = new Map<string, string>();
    const needed = new Set<string>();
    for (const r of await conn.rows(
      `SELECT access_key_id, caller_access_key_id, expires_ms FROM credentials FINAL WHERE caller_access_key_id IS NOT NULL`,
    )) {
      callerOf.set(text(r, 'access_key_id') ?? '', text(r, 'caller_access_key_id') ?? '');
      if (r.expires_ms === null || Number(r.expires_ms) >= cut)
        needed.add(text(r, 'caller_access_key_id') ?? '');
    }
    // Every ancestor of a kept row is needed too.
    let frontier = [...needed];
    while (frontier.length) {
      const next: string[] = [];
      for (const key of frontier) {
        const caller = callerOf.get(key);
        if (caller !== undefined && !needed.has(caller)) {
          needed.add(caller);
          next.push(caller);
        }
      }
      frontier = next;
    }
    const candidates = expired.filter((k) => !needed.has(k));
    const used = new Set<string>();
    for (const chunk of chunks(candidates))
      for (const r of await conn.rows(
        `SELECT DISTINCT actor_access_key_id AS k FROM events
         WHERE event_ms >= ${cut} AND actor_access_key_id IN ${sqlList(chunk)}`,
      ))
        used.add(text(r, 'k') ?? '');
    return candidates.filter((k) => !used.has(k));
  }

  async function pruneEventsBefore(before: number, options: { dryRun?: boolean } = {}): Promise<PruneResult> {
    const cut = Math.floor(before);
    const [e] = await conn.rows(
      `SELECT uniqExact(event_id, recipient_account_id) AS n FROM events WHERE event_ms < ${cut}`,
    );
    const emptied = (
      await conn.rows(`SELECT object_id FROM events GROUP BY object_id HAVING max(event_ms) < ${cut}`)
    ).map((r) => text(r, 'object_id') ?? '');
    const withContent: string[] = [];
    for (const chunk of chunks(emptied))
      for (const r of await conn.rows(
        `SELECT DISTINCT object_id FROM objects WHERE object_id IN ${sqlList(chunk)} AND length(content) > 0`,
      ))
        withContent.push(text(r, 'object_id') ?? '');
    const credentials = await prunableCredentials(cut);
    const result = {
      events: Number(e?.n ?? 0),
      credentials: credentials.length,
      objectsEmptied: withContent.length,
    };
    if (options.dryRun) return result;
    // Ledger and contents first: if this stops half way, the events are still there to prune again.
    for (const chunk of chunks(credentials))
      await mutate('credentials', `DELETE WHERE access_key_id IN ${sqlList(chunk)}`);
    for (const chunk of chunks(withContent))
      await mutate('objects', `UPDATE content = '' WHERE object_id IN ${sqlList(chunk)}`);
    if (result.events) await mutate('events', `DELETE WHERE event_ms < ${cut}`);
    return result;
  }

  return { operationalCounts, pruneEventsBefore };
}
