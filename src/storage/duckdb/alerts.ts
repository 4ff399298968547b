// Matches and alerts in DuckDB: staged match rows, pending keys, alert upserts that keep triage state.
import type { DuckDBAppender, DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { insertOutbox } from './outbox.js';
import { byRow, stage } from './stage.js';
import type {
  Alert,
  AlertChange,
  AlertStatus,
  EventRef,
  KeyCount,
  KeySummary,
  MatchRow,
  OutboxItem,
  PendingKey,
  Suppression,
} from '../../domain/alert.js';
import { MAX_EVENT_IDS } from '../../domain/alert.js';
import type { Origin } from '../../domain/identity.js';
import { SEVERITIES } from '../../domain/rule.js';
import type { AlertQuery, AlertUpdate, StoredAlert, TimeSpan } from '../port.js';
import { rowToAlert, rowToMatch } from '../rows.js';
import { s, ts, type Row } from './values.js';

/**
 * What a match row says beside its rule, key, event, value, step and severity: the same for most
 * rows of a key (1,350,984 rows at 1M had 14,021 of them), so `matches` keeps it once in
 * `match_details` (migration 13) under the md5 of its JSON list, and each row only that id.
 */
const DETAIL_FIELDS = ['group_key', 'title', 'region', 'source_ip', 'actor_arn', 'origin'] as const;
const DETAIL_COLUMNS = DETAIL_FIELDS.join(', ');
const DETAIL_ID = `md5_number(to_json([${DETAIL_COLUMNS}]::VARCHAR[]))`;

/** Stores the details of the whole match rows in `source` that are not stored yet. */
export const insertDetailsFrom = (source: string): string =>
  `INSERT OR IGNORE INTO match_details SELECT DISTINCT ${DETAIL_ID}, ${DETAIL_COLUMNS} FROM ${source}`;

/** The whole match rows in `source` as `matches` keeps them (migration 13): their own columns, then their details' id. */
export const narrowFrom = (source: string): string =>
  `SELECT rule_id, alert_key, event_id, recipient_account_id, event_time, value, step, severity, ${DETAIL_ID} FROM ${source}`;

/** Where a batch's match rows are staged whole: `matches` keeps their details apart. */
export const MATCHES_STAGE = `
  CREATE OR REPLACE TEMP TABLE matches_stage (
    rule_id VARCHAR, alert_key VARCHAR, event_id VARCHAR, recipient_account_id VARCHAR,
    event_time TIMESTAMP, group_key VARCHAR, value VARCHAR, step VARCHAR, title VARCHAR,
    severity VARCHAR, region VARCHAR, source_ip VARCHAR, actor_arn VARCHAR, origin VARCHAR)`;

/**
 * Stored matches with their details, as rowToMatch reads them (`m` and `d`). A left join: a row
 * whose details were lost (they are written in the same transaction) still counts, untitled.
 */
const DETAILS_JOIN = 'LEFT JOIN match_details d ON d.detail_id = m.detail_id';
const WITH_DETAILS = `matches m ${DETAILS_JOIN}`;
const MATCH_COLUMNS = 'm.* EXCLUDE (detail_id), d.* EXCLUDE (detail_id), epoch_ms(m.event_time) AS event_ms';

/**
 * Appends match rows, one appender call per cell: a match row is text only, and data chunks (as for
 * events) staged it slower. The matches of one event, and of events with one attribution, share
 * their origin object, whose JSON text is made once per batch (at 50k, 68,009 matches had 5,960).
 */
export function appendMatches(a: DuckDBAppender, matches: readonly MatchRow[]): void {
  const text = (v: string | null): void => (v === null ? a.appendNull() : a.appendVarchar(v));
  const origins = new Map<Origin, string>();
  for (const m of matches) {
    let origin = origins.get(m.origin);
    if (origin === undefined) {
      origin = JSON.stringify(m.origin);
      origins.set(m.origin, origin);
    }
    a.appendVarchar(m.ruleId);
    a.appendVarchar(m.alertKey);
    a.appendVarchar(m.eventId);
    a.appendVarchar(m.recipientAccountId);
    a.appendTimestamp(ts(m.eventTime));
    a.appendVarchar(m.groupKey);
    text(m.value);
    text(m.step);
    a.appendVarchar(m.title);
    a.appendVarchar(m.severity);
    text(m.region);
    text(m.sourceIp);
    text(m.actorArn);
    a.appendVarchar(origin);
    a.endRow();
  }
}

/** New matches only: a re-delivered event must not count twice toward a threshold. */
const INSERT_NEW_MATCHES = `
  INSERT INTO matches
  ${narrowFrom('temp.matches_stage s')}
  WHERE NOT EXISTS (
    SELECT 1 FROM matches m
    WHERE m.event_time BETWEEN (SELECT min(event_time) FROM temp.matches_stage)
                           AND (SELECT max(event_time) FROM temp.matches_stage)
      AND m.rule_id = s.rule_id AND m.event_id = s.event_id
      AND m.recipient_account_id = s.recipient_account_id AND m.step IS NOT DISTINCT FROM s.step)`;

/**
 * Moves the staged match rows into the store, their details first (within the caller's
 * transaction); with `onlyNew`, not those of an event and rule already stored.
 */
export async function insertStagedMatches(conn: DuckDBConnection, onlyNew: boolean): Promise<void> {
  await conn.run(insertDetailsFrom('temp.matches_stage'));
  await conn.run(onlyNew ? INSERT_NEW_MATCHES : `INSERT INTO matches ${narrowFrom('temp.matches_stage')}`);
}

/** Marks the keys of the staged matches pending, over the span of those matches. */
export const PENDING_FROM_STAGE = `
  INSERT INTO pending_keys SELECT rule_id, alert_key, min(event_time), max(event_time)
  FROM temp.matches_stage GROUP BY rule_id, alert_key`;

/** Marks keys pending over the span of all their matches (completed by a WHERE and GROUP BY). */
const PENDING_FROM_MATCHES = `
  INSERT INTO pending_keys SELECT rule_id, alert_key, min(event_time), max(event_time) FROM matches`;

export function alertFunctions(conn: DuckDBConnection, now: () => number) {
  // Alert keys are hashes that include the rule id: the key alone selects a rule's group.
  const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

  async function pendingAlertKeys(limit: number): Promise<PendingKey[]> {
    const r = await conn.runAndReadAll(
      `SELECT rule_id, alert_key, epoch_ms(min(from_time)) AS f, epoch_ms(max(to_time)) AS t
       FROM pending_keys GROUP BY rule_id, alert_key ORDER BY rule_id, alert_key LIMIT ${Math.floor(limit)}`,
    );
    return r.getRowObjects().map((row) => ({
      ruleId: s(row, 'rule_id') ?? '',
      alertKey: s(row, 'alert_key') ?? '',
      from: Number(row.f),
      to: Number(row.t),
    }));
  }

  const SEVERITY_RANK = `CASE severity ${SEVERITIES.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} END`;

  /**
   * Stages lists of keys or ids in `temp.key_lists` (list name, value), for statements to join:
   * thousands of bound parameters in an IN list cost DuckDB far more per row scanned (5,000 keys
   * against 68k matches: 235 ms; staged and joined: 17 + 83 ms; deleting them from pending_keys:
   * 109 -> 21 ms). The store creates the table when it opens.
   */
  async function stageLists(lists: Record<string, readonly string[]>): Promise<void> {
    const rows = Object.entries(lists).flatMap(([list, values]) => values.map((k) => [list, k] as const));
    await stage(
      conn,
      'key_lists',
      rows,
      byRow((a, [list, k]) => {
        a.appendVarchar(list);
        a.appendVarchar(k);
      }),
    );
  }
  const listed = (list: string): string => `(SELECT k FROM temp.key_lists WHERE list = '${list}')`;

  /** The time bound of a key statement: zone maps then skip the row groups of other times. */
  const spanned = (within?: readonly TimeSpan[]): { sql: string; params: DuckDBValue[] } =>
    within
      ? {
          sql: ` AND (${within.map(() => 'event_time BETWEEN ? AND ?').join(' OR ') || 'false'})`,
          params: within.flatMap((w) => [ts(w.from), ts(w.to)]),
        }
      : { sql: '', params: [] };

  async function keyCounts(
    keys: readonly string[],
    within?: readonly TimeSpan[],
  ): Promise<Map<string, KeyCount>> {
    const out = new Map<string, KeyCount>();
    if (!keys.length) return out;
    await stageLists({ keys });
    const span = spanned(within);
    const r = await conn.runAndReadAll(
      `SELECT alert_key, count(DISTINCT event_id) AS n, count(DISTINCT value) AS nv
       FROM matches WHERE alert_key IN ${listed('keys')}${span.sql} GROUP BY alert_key`,
      span.params,
    );
    for (const [key, n, nv] of r.getRowsJS())
      out.set(key as string, { count: Number(n), distinctValues: Number(nv) });
    return out;
  }

  async function keyFirstSeen(keys: readonly string[], before?: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!keys.length) return out;
    await stageLists({ keys });
    // Matches are stored about in time order: zone maps skip the row groups of later times.
    const bound = before === undefined ? '' : ' AND event_time < ?';
    const r = await conn.runAndReadAll(
      `SELECT alert_key, epoch_ms(min(event_time)) FROM matches WHERE alert_key IN ${listed('keys')}${bound} GROUP BY alert_key`,
      before === undefined ? [] : [ts(before)],
    );
    for (const [key, first] of r.getRowsJS()) out.set(key as string, Number(first));
    return out;
  }

  async function keySummaries(
    keys: readonly string[],
    within?: readonly TimeSpan[],
  ): Promise<Map<string, KeySummary>> {
    const out = new Map<string, KeySummary>();
    if (!keys.length) return out;
    await stageLists({ keys });
    const span = spanned(within);
    const r = await conn.runAndReadAll(
      `SELECT s.*, d.* EXCLUDE (detail_id) FROM (
         SELECT alert_key, count(DISTINCT event_id) AS n, count(DISTINCT value) AS nv,
                epoch_ms(max(event_time)) AS last_ms, max(${SEVERITY_RANK}) AS sev,
                list(event_id ORDER BY event_time, event_id)[1:${MAX_EVENT_IDS}] AS ids,
                first(struct_pack(rule_id, alert_key, event_id, recipient_account_id, event_ms := epoch_ms(event_time),
                  value, step, severity, detail_id) ORDER BY event_time, event_id) AS f
         FROM matches WHERE alert_key IN ${listed('keys')}${span.sql} GROUP BY alert_key) s
       LEFT JOIN match_details d ON d.detail_id = s.f.detail_id`,
      span.params,
    );
    for (const row of r.getRowObjectsJS()) {
      const details = Object.fromEntries(DETAIL_FIELDS.map((c) => [c, row[c]]));
      const first = rowToMatch({ ...(row.f as Row), ...details });
      out.set(row.alert_key as string, {
        first,
        lastSeen: Number(row.last_ms),
        count: Number(row.n),
        distinctValues: Number(row.nv),
        eventIds: (row.ids as string[]).map(String),
        severity: SEVERITIES[Number(row.sev)] ?? first.severity,
      });
    }
    return out;
  }

  async function matchesBetween(
    alertKey: string,
    from: number,
    to: number,
    step?: string,
  ): Promise<MatchRow[]> {
    const r = await conn.runAndReadAll(
      `SELECT ${MATCH_COLUMNS} FROM ${WITH_DETAILS}
       WHERE m.alert_key = ? AND m.event_time BETWEEN ? AND ?${step === undefined ? '' : ' AND m.step = ?'}
       ORDER BY m.event_time, m.event_id`,
      [alertKey, ts(from), ts(to), ...(step === undefined ? [] : [step])],
    );
    return r.getRowObjects().map(rowToMatch);
  }

  /**
   * The matches of these refs, as `m` joined to `refs(e, a)`; bounded by the refs' times when every
   * one has its time (zone maps then skip the row groups of other times).
   */
  const refsJoin = (refs: readonly EventRef[]): { sql: string; params: DuckDBValue[] } => {
    const times = refs.map((r) => r.eventTime);
    const known = times.every((t) => t !== undefined) ? times : null;
    const params: DuckDBValue[] = refs.flatMap((r) => [r.eventId, r.recipientAccountId]);
    let sql = `matches m JOIN (VALUES ${refs.map(() => '(?, ?)').join(', ')}) refs(e, a)
      ON m.event_id = refs.e AND m.recipient_account_id = refs.a`;
    if (known?.length) {
      sql += ' AND m.event_time BETWEEN ? AND ?';
      params.push(ts(Math.min(...known)), ts(Math.max(...known)));
    }
    return { sql, params };
  };

  /**
   * Refs in chunks of 2,000 in time order (those without a time last): each chunk then spans little
   * time, and its join reads only the row groups of that time.
   */
  const refChunks = (refs: readonly EventRef[]): EventRef[][] => {
    const at = (r: EventRef): number => r.eventTime ?? Number.MAX_SAFE_INTEGER;
    const sorted = [...refs].sort((a, b) => at(a) - at(b));
    const out: EventRef[][] = [];
    for (let i = 0; i < sorted.length; i += 2000) out.push(sorted.slice(i, i + 2000));
    return out;
  };

  async function eventMatches(refs: readonly EventRef[]): Promise<MatchRow[]> {
    const out: MatchRow[] = [];
    for (const chunk of refChunks(refs)) {
      const t = refsJoin(chunk);
      const r = await conn.runAndReadAll(
        `SELECT ${MATCH_COLUMNS} FROM ${t.sql} ${DETAILS_JOIN}
         ORDER BY m.event_time, m.event_id, m.rule_id, m.step`,
        t.params,
      );
      for (const row of r.getRowObjects()) out.push(rowToMatch(row));
    }
    return out;
  }

  async function replaceMatches(refs: readonly EventRef[], matches: readonly MatchRow[]): Promise<void> {
    if (!refs.length && !matches.length) return;
    await stage(conn, 'matches_stage', matches, appendMatches);
    await conn.run('BEGIN TRANSACTION');
    try {
      // The keys the events leave and join are pending over the span of the rows that change.
      await conn.run(PENDING_FROM_STAGE);
      // The rows to remove, found in one read of the matches.
      await conn.run(
        'CREATE OR REPLACE TEMP TABLE matches_gone (rid BIGINT, rule_id VARCHAR, alert_key VARCHAR, event_time TIMESTAMP)',
      );
      for (let i = 0; i < refs.length; i += 2000) {
        const t = refsJoin(refs.slice(i, i + 2000));
        await conn.run(
          `INSERT INTO temp.matches_gone SELECT m.rowid, m.rule_id, m.alert_key, m.event_time FROM ${t.sql}`,
          t.params,
        );
      }
      await conn.run(
        `INSERT INTO pending_keys SELECT rule_id, alert_key, min(event_time), max(event_time)
         FROM temp.matches_gone GROUP BY rule_id, alert_key`,
      );
      await conn.run('DELETE FROM matches WHERE rowid IN (SELECT rid FROM temp.matches_gone)');
      const left = await conn.runAndReadAll('SELECT DISTINCT alert_key FROM temp.matches_gone');
      // Keys that gain a match keep one; only those that only lose some may be left without any.
      const gained = new Set(matches.map((m) => m.alertKey));
      const touched = new Set(left.getRowsJS().map(([k]) => k as string));
      for (const k of gained) touched.delete(k);
      if (matches.length) await insertStagedMatches(conn, false);
      const keys = [...touched];
      for (let i = 0; i < keys.length; i += 5000) {
        const chunk = keys.slice(i, i + 5000);
        // A key left without matches has nothing to evaluate: its untriaged alerts go now.
        for (const table of ['alerts', 'pending_keys'])
          await conn.run(
            `DELETE FROM ${table} WHERE ${table === 'alerts' ? "status IN ('open', 'suppressed') AND " : ''}
               alert_key IN (${inList(chunk.length)})
               AND alert_key NOT IN (SELECT alert_key FROM matches WHERE alert_key IN (${inList(chunk.length)}))`,
            [...chunk, ...chunk],
          );
      }
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }

  async function saveAlerts(
    alerts: readonly Alert[],
    evaluatedKeys: readonly string[],
    replaceKeys: readonly string[],
    outbox: readonly OutboxItem[] = [],
  ) {
    const at = ts(now());
    const ids = alerts.map((a) => a.id);
    await stageLists({ ids, evaluated: evaluatedKeys, replaced: replaceKeys });
    await conn.run('BEGIN TRANSACTION');
    try {
      const existing = new Set<string>();
      const r = await conn.runAndReadAll(`SELECT id FROM alerts WHERE id IN ${listed('ids')}`);
      for (const [id] of r.getRowsJS()) existing.add(id as string);
      // Many rows per statement: one round trip per 500 alerts instead of two per alert.
      for (let i = 0; i < alerts.length; i += 500) {
        const chunk = alerts.slice(i, i + 500);
        const status = (a: Alert): AlertStatus => (a.suppressedBy ? 'suppressed' : 'open');
        // Triage decisions stand: only open or suppressed alerts follow the suppressions.
        await conn.run(
          `INSERT INTO alerts VALUES ${chunk.map(() => `(${inList(18)}, NULL, NULL, ?)`).join(', ')}
           ON CONFLICT (id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
             first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count,
             event_ids = excluded.event_ids, origin = excluded.origin, updated_at = excluded.updated_at,
             suppressed_by = excluded.suppressed_by,
             status = CASE WHEN alerts.status IN ('open', 'suppressed') THEN excluded.status ELSE alerts.status END`,
          chunk.flatMap((a) => [
            a.id,
            a.ruleId,
            a.alertKey,
            a.title,
            a.severity,
            status(a),
            a.groupKey,
            ts(a.firstSeen),
            ts(a.lastSeen),
            a.count,
            JSON.stringify(a.eventIds),
            a.account,
            a.region,
            a.sourceIp,
            a.actorArn,
            JSON.stringify(a.origin),
            at,
            at,
            a.suppressedBy ?? null,
          ]),
        );
        const created = chunk.filter((a) => !existing.has(a.id));
        if (created.length)
          await conn.run(
            `INSERT INTO alert_history VALUES ${created.map(() => `(?, ?, 'trailwatch', 'created', NULL, ?, ?)`).join(', ')}`,
            created.flatMap((a) => [
              a.id,
              at,
              status(a),
              a.suppressedBy ? `suppressed by ${a.suppressedBy}` : null,
            ]),
          );
      }
      if (replaceKeys.length)
        await conn.run(
          `DELETE FROM alerts WHERE status IN ('open', 'suppressed') AND alert_key IN ${listed('replaced')}
           AND id NOT IN ${listed('ids')}`,
        );
      if (evaluatedKeys.length)
        await conn.run(`DELETE FROM pending_keys WHERE alert_key IN ${listed('evaluated')}`);
      // Notifications are written in the same transaction as their alerts: none is lost or invented.
      await insertOutbox(conn, outbox);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }

  async function alerts(q: AlertQuery) {
    const where: string[] = [];
    const params: DuckDBValue[] = [];
    if (q.ids?.length) {
      where.push(`(id IN (${inList(q.ids.length)}) OR id LIKE ?)`);
      params.push(...q.ids, `${q.ids[0] ?? ''}%`);
    }
    if (q.minSeverity) {
      const levels = SEVERITIES.slice(SEVERITIES.indexOf(q.minSeverity));
      where.push(`severity IN (${levels.map(() => '?').join(', ')})`);
      params.push(...levels);
    }
    for (const [col, values] of [
      ['rule_id', q.ruleIds],
      ['status', q.statuses],
      ['account', q.accounts],
    ] as const)
      if (values?.length) {
        where.push(`${col} IN (${values.map(() => '?').join(', ')})`);
        params.push(...values);
      }
    if (q.origins?.length) {
      const names = q.origins.map((o) => o.toLowerCase());
      where.push(
        `(lower(json_extract_string(origin, '$.name')) IN (${inList(names.length)}) OR lower(json_extract_string(origin, '$.id')) IN (${inList(names.length)}))`,
      );
      params.push(...names, ...names);
    }
    if (q.since !== undefined) {
      where.push('last_seen >= ?');
      params.push(ts(q.since));
    }
    if (q.until !== undefined) {
      where.push('first_seen <= ?');
      params.push(ts(q.until));
    }
    const r = await conn.runAndReadAll(
      `SELECT *, epoch_ms(first_seen) AS first_ms, epoch_ms(last_seen) AS last_ms, epoch_ms(created_at) AS created_ms,
              epoch_ms(updated_at) AS updated_ms FROM alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
       ORDER BY last_seen DESC, id LIMIT ${Math.floor(q.limit ?? 1000)}`,
      params,
    );
    return r.getRowObjects().map(rowToAlert);
  }

  async function changeAlert(id: string, change: AlertUpdate): Promise<StoredAlert | null> {
    const [current] = await alerts({ ids: [id], limit: 1 });
    if (!current) return null;
    const to = change.status ?? (current.status as AlertStatus);
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(
        `UPDATE alerts SET status = ?, assignee = coalesce(?, assignee), resolution = CASE WHEN ? = 'resolved' THEN coalesce(?, resolution) WHEN ? = 'open' THEN NULL ELSE resolution END, updated_at = ? WHERE id = ?`,
        [to, change.assignee ?? null, to, change.resolution ?? null, to, ts(change.at), id],
      );
      await conn.run('INSERT INTO alert_history VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        ts(change.at),
        change.actor,
        change.action,
        current.status,
        to,
        change.detail ?? null,
      ]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
    return (await alerts({ ids: [id], limit: 1 }))[0] ?? null;
  }

  async function alertHistory(id: string): Promise<AlertChange[]> {
    const r = await conn.runAndReadAll(
      'SELECT *, epoch_ms(changed_at) AS at_ms FROM alert_history WHERE alert_id = ? ORDER BY changed_at, rowid',
      [id],
    );
    return r.getRowObjects().map((row) => ({
      alertId: id,
      at: Number(row.at_ms),
      actor: s(row, 'actor') ?? '',
      action: (s(row, 'action') ?? 'comment') as AlertChange['action'],
      fromStatus: s(row, 'from_status') as AlertStatus | null,
      toStatus: s(row, 'to_status') as AlertStatus | null,
      detail: s(row, 'detail'),
    }));
  }

  /** Adds a suppression; the open alerts it may cover are evaluated again (their matches made pending). */
  async function addSuppression(sup: Suppression): Promise<void> {
    await conn.run(
      `${PENDING_FROM_MATCHES} WHERE alert_key IN (
         SELECT alert_key FROM alerts WHERE status = 'open' AND (? IS NULL OR rule_id = ?)) GROUP BY rule_id, alert_key`,
      [sup.ruleId, sup.ruleId],
    );
    await conn.run('INSERT INTO suppressions VALUES (?, ?, ?, ?, ?, ?, ?, NULL)', [
      sup.id,
      sup.ruleId,
      JSON.stringify(sup.match),
      sup.reason,
      sup.author,
      ts(sup.createdAt),
      sup.expiresAt === null ? null : ts(sup.expiresAt),
    ]);
  }

  async function suppressions(): Promise<Suppression[]> {
    const r = await conn.runAndReadAll(
      `SELECT *, epoch_ms(created_at) AS c, epoch_ms(expires_at) AS e FROM suppressions WHERE removed_at IS NULL ORDER BY created_at, id`,
    );
    return r.getRowObjects().map((row) => ({
      id: s(row, 'id') ?? '',
      ruleId: s(row, 'rule_id'),
      match: JSON.parse(s(row, 'match') ?? '{}') as Suppression['match'],
      reason: s(row, 'reason') ?? '',
      author: s(row, 'author') ?? '',
      createdAt: Number(row.c),
      expiresAt: row.e === null ? null : Number(row.e),
    }));
  }

  /** Removes a suppression; the alerts it covered are evaluated again (their matches made pending). */
  async function removeSuppression(id: string, at: number): Promise<boolean> {
    await conn.run('BEGIN TRANSACTION');
    try {
      const r = await conn.run('UPDATE suppressions SET removed_at = ? WHERE id = ? AND removed_at IS NULL', [
        ts(at),
        id,
      ]);
      await conn.run(
        `${PENDING_FROM_MATCHES} WHERE alert_key IN (SELECT alert_key FROM alerts WHERE suppressed_by = ?)
         GROUP BY rule_id, alert_key`,
        [id],
      );
      await conn.run('COMMIT');
      return r.rowsChanged > 0;
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
  }

  async function dataStart() {
    const r = await conn.runAndReadAll('SELECT epoch_ms(min(event_time)) AS t FROM events');
    const t = r.getRowObjectsJS()[0]?.t;
    return t === null || t === undefined ? null : Number(t);
  }

  return {
    pendingAlertKeys,
    keyCounts,
    keyFirstSeen,
    keySummaries,
    matchesBetween,
    eventMatches,
    replaceMatches,
    saveAlerts,
    alerts,
    changeAlert,
    alertHistory,
    addSuppression,
    suppressions,
    removeSuppression,
    dataStart,
  };
}
