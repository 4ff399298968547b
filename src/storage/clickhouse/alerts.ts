// Matches and alerts in ClickHouse. Without transactions, every write is a new row version and the
// order of writes is chosen so that a crash between two of them leaves work pending, never lost:
// outbox and history first, then the alerts, and the evaluation marks last.
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
import { SEVERITIES } from '../../domain/rule.js';
import type { AlertQuery, AlertUpdate, StoredAlert } from '../port.js';
import { num, rowToAlert, rowToMatch as readMatch, text, type Row } from '../rows.js';
import type { Connection } from './client.js';
import { chunks, sqlList, sqlValue, type SqlValue } from './sql.js';
import { nextVersion } from './version.js';

export const MATCH_COLUMNS = [
  'rule_id',
  'alert_key',
  'event_id',
  'recipient_account_id',
  'event_ms',
  'group_key',
  'value',
  'step',
  'has_step',
  'title',
  'severity',
  'region',
  'source_ip',
  'actor_arn',
  'origin',
];

export function matchRow(m: MatchRow): SqlValue[] {
  return [
    m.ruleId,
    m.alertKey,
    m.eventId,
    m.recipientAccountId,
    m.eventTime,
    m.groupKey,
    m.value,
    m.step ?? '',
    m.step !== null,
    m.title,
    m.severity,
    m.region,
    m.sourceIp,
    m.actorArn,
    JSON.stringify(m.origin),
  ];
}

const ALERT_COLUMNS = [
  'id',
  'version',
  'deleted',
  'rule_id',
  'alert_key',
  'title',
  'severity',
  'status',
  'group_key',
  'first_ms',
  'last_ms',
  'count',
  'event_ids',
  'account',
  'region',
  'source_ip',
  'actor_arn',
  'origin',
  'origin_id',
  'origin_name',
  'created_ms',
  'updated_ms',
  'assignee',
  'resolution',
  'suppressed_by',
];

function alertRow(a: StoredAlert, version: bigint, deleted = false): SqlValue[] {
  return [
    a.id,
    version,
    deleted,
    a.ruleId,
    a.alertKey,
    a.title,
    a.severity,
    a.status,
    a.groupKey,
    a.firstSeen,
    a.lastSeen,
    a.count,
    JSON.stringify(a.eventIds),
    a.account,
    a.region,
    a.sourceIp,
    a.actorArn,
    JSON.stringify(a.origin),
    a.origin.id,
    a.origin.name,
    a.createdAt,
    a.updatedAt,
    a.assignee,
    a.resolution,
    a.suppressedBy ?? null,
  ];
}

const HISTORY_COLUMNS = [
  'alert_id',
  'changed_ms',
  'seq',
  'actor',
  'action',
  'from_status',
  'to_status',
  'detail',
];
const SUPPRESSION_COLUMNS = [
  'id',
  'version',
  'rule_id',
  'match',
  'reason',
  'author',
  'created_ms',
  'expires_ms',
  'removed_ms',
];

/** The match of a row: `step` is NULL-able here only through `has_step` (it is in the sorting key). */
function rowToMatch(row: Row): MatchRow {
  return readMatch({ ...row, step: Number(row.has_step) === 1 ? row.step : null });
}

const SEVERITY_RANK = `multiIf(${SEVERITIES.map((v, i) => `severity = ${sqlValue(v)}, ${i}`).join(', ')}, 0)`;
/** Alerts as they stand: the newest version of each id, deleted ones left out. */
const LIVE_ALERTS = 'SELECT * FROM alerts FINAL WHERE deleted = 0';

/** A key's evaluation mark: the match count read (-1: pending again) and the version of the read. */
interface KeyMark {
  key: string;
  count: number;
  version: bigint;
}

export function alertFunctions(
  conn: Connection,
  now: () => number,
  enqueue: (i: readonly OutboxItem[]) => Promise<void>,
) {
  /**
   * What pendingAlertKeys read of each key: its match count, and the row version taken before the
   * read. Evaluation marks a key with both, so a reset another writer made after the read (a rematch
   * that rewrote the key's matches without changing their number, a suppression) has the higher
   * version and wins, whichever of the two marks is written last.
   */
  const seen = new Map<string, Omit<KeyMark, 'key'>>();

  async function markKeys(marks: readonly KeyMark[]): Promise<void> {
    await conn.insert(
      'key_marks',
      ['alert_key', 'version', 'evaluated'],
      marks.map((m) => [m.key, m.version, m.count]),
    );
  }

  /** Makes keys pending again (a mark no count equals). */
  async function resetKeys(keys: readonly string[]): Promise<void> {
    const version = nextVersion();
    await markKeys(keys.map((key) => ({ key, count: -1, version })));
  }

  async function pendingAlertKeys(limit: number): Promise<PendingKey[]> {
    const version = nextVersion();
    const rows = await conn.rows(
      `SELECT rule_id, alert_key, f, t, n FROM (
         SELECT rule_id, alert_key, min(event_ms) AS f, max(event_ms) AS t, count() AS n
         FROM matches FINAL WHERE deleted = 0 GROUP BY rule_id, alert_key)
       ANY LEFT JOIN (SELECT alert_key, evaluated FROM key_marks FINAL) USING alert_key
       WHERE n != evaluated ORDER BY rule_id, alert_key LIMIT ${Math.floor(limit)}`,
    );
    return rows.map((row) => {
      seen.set(String(row.alert_key), { count: Number(row.n), version });
      return {
        ruleId: text(row, 'rule_id') ?? '',
        alertKey: text(row, 'alert_key') ?? '',
        from: Number(row.f),
        to: Number(row.t),
      };
    });
  }

  async function keyCounts(keys: readonly string[]): Promise<Map<string, KeyCount>> {
    const out = new Map<string, KeyCount>();
    for (const chunk of chunks(keys, 5000))
      for (const row of await conn.rows(
        `SELECT alert_key, uniqExact(event_id) AS n, uniqExact(value) AS nv
         FROM matches FINAL WHERE deleted = 0 AND alert_key IN ${sqlList(chunk)} GROUP BY alert_key`,
      ))
        out.set(String(row.alert_key), { count: Number(row.n), distinctValues: Number(row.nv) });
    return out;
  }

  async function keyFirstSeen(keys: readonly string[], before?: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const bound = before === undefined ? '' : ` AND event_ms < ${Math.floor(before)}`;
    for (const chunk of chunks(keys, 5000))
      for (const row of await conn.rows(
        `SELECT alert_key, min(event_ms) AS first_ms
         FROM matches FINAL WHERE deleted = 0 AND alert_key IN ${sqlList(chunk)}${bound} GROUP BY alert_key`,
      ))
        out.set(String(row.alert_key), Number(row.first_ms));
    return out;
  }

  async function keySummaries(keys: readonly string[]): Promise<Map<string, KeySummary>> {
    const out = new Map<string, KeySummary>();
    for (const chunk of chunks(keys, 5000)) {
      const where = `alert_key IN ${sqlList(chunk)}`;
      const totals = await conn.rows(
        `SELECT alert_key, uniqExact(event_id) AS n, uniqExact(value) AS nv, max(event_ms) AS last_ms,
                max(${SEVERITY_RANK}) AS sev
         FROM matches FINAL WHERE deleted = 0 AND ${where} GROUP BY alert_key`,
      );
      const firsts = new Map<string, MatchRow[]>();
      for (const row of await conn.rows(
        `SELECT * FROM matches FINAL WHERE deleted = 0 AND ${where}
         ORDER BY alert_key, event_ms, event_id LIMIT ${MAX_EVENT_IDS} BY alert_key`,
      )) {
        const m = rowToMatch(row);
        firsts.set(m.alertKey, [...(firsts.get(m.alertKey) ?? []), m]);
      }
      for (const row of totals) {
        const key = String(row.alert_key);
        const matches = firsts.get(key) ?? [];
        const first = matches[0];
        if (!first) continue;
        out.set(key, {
          first,
          lastSeen: Number(row.last_ms),
          count: Number(row.n),
          distinctValues: Number(row.nv),
          eventIds: matches.map((m) => m.eventId),
          severity: SEVERITIES[Number(row.sev)] ?? first.severity,
        });
      }
    }
    return out;
  }

  async function matchesBetween(
    alertKey: string,
    from: number,
    to: number,
    step?: string,
  ): Promise<MatchRow[]> {
    const rows = await conn.rows(
      `SELECT * FROM matches FINAL WHERE deleted = 0 AND alert_key = ${sqlValue(alertKey)}
         AND event_ms BETWEEN ${sqlValue(from)} AND ${sqlValue(to)}
         ${step === undefined ? '' : `AND has_step = 1 AND step = ${sqlValue(step)}`} ORDER BY event_ms, event_id`,
    );
    return rows.map(rowToMatch);
  }

  async function eventMatches(refs: readonly EventRef[]): Promise<MatchRow[]> {
    const out: MatchRow[] = [];
    for (const chunk of chunks(refs, 2000)) {
      const pairs = chunk.map((r) => `(${sqlValue(r.eventId)}, ${sqlValue(r.recipientAccountId)})`);
      const rows = await conn.rows(
        `SELECT * FROM matches FINAL WHERE deleted = 0
           AND event_id IN ${sqlList(chunk.map((r) => r.eventId))}
           AND (event_id, recipient_account_id) IN (${pairs.join(', ')})
         ORDER BY event_ms, event_id, rule_id, step`,
      );
      for (const row of rows) out.push(rowToMatch(row));
    }
    return out;
  }

  /** The sorting key of a match row: a later row with the same key replaces it. */
  const matchIdentity = (m: MatchRow): string =>
    [m.alertKey, m.ruleId, m.eventId, m.recipientAccountId, m.step ?? '', m.step === null].join('\u0000');

  async function replaceMatches(refs: readonly EventRef[], matches: readonly MatchRow[]): Promise<void> {
    const old = await eventMatches(refs);
    const kept = new Set(matches.map(matchIdentity));
    // Retractions first, then the new rows: read FINAL, the row inserted last wins.
    const retract = old.filter((m) => !kept.has(matchIdentity(m)));
    const keys = [...new Set([...old, ...matches].map((m) => m.alertKey))];
    // Made pending before the rewrite as well as after it: a rewrite that keeps a key's count and
    // stops before the second reset still leaves the key pending.
    await resetKeys(keys);
    await conn.insert(
      'matches',
      [...MATCH_COLUMNS, 'deleted'],
      retract.map((m) => [...matchRow(m), 1]),
    );
    await conn.insert(
      'matches',
      [...MATCH_COLUMNS, 'deleted'],
      matches.map((m) => [...matchRow(m), 0]),
    );
    await resetKeys(keys);
    await dropEmptied(keys);
  }

  /** How many live matches each of the keys has (keys without any are left out). */
  async function matchCounts(keys: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const chunk of chunks(keys, 5000))
      for (const row of await conn.rows(
        `SELECT alert_key, count() AS n FROM matches FINAL WHERE deleted = 0 AND alert_key IN ${sqlList(chunk)} GROUP BY alert_key`,
      ))
        out.set(String(row.alert_key), Number(row.n));
    return out;
  }

  /**
   * A key left without matches is never pending again: its untriaged alerts go now. Both sides call
   * this after their own write (a retraction, an evaluated alert), so that whichever of two writers
   * writes last sees the other's write.
   */
  async function dropEmptied(keys: readonly string[], counts?: ReadonlyMap<string, number>): Promise<void> {
    const live = counts ?? (await matchCounts(keys));
    const emptied = keys.filter((k) => !live.get(k));
    const version = nextVersion();
    const gone: SqlValue[][] = [];
    for (const chunk of chunks(emptied, 5000))
      for (const a of await liveAlerts(`status IN ('open', 'suppressed') AND alert_key IN ${sqlList(chunk)}`))
        gone.push(alertRow(a, version, true));
    await conn.insert('alerts', ALERT_COLUMNS, gone);
  }

  async function liveAlerts(where: string): Promise<StoredAlert[]> {
    return (await conn.rows(`${LIVE_ALERTS} AND ${where}`)).map(rowToAlert);
  }

  async function saveAlerts(
    alerts: readonly Alert[],
    evaluatedKeys: readonly string[],
    replaceKeys: readonly string[],
    outbox: readonly OutboxItem[] = [],
  ): Promise<void> {
    const at = now();
    const existing = new Map<string, StoredAlert>();
    for (const chunk of chunks(
      alerts.map((a) => a.id),
      5000,
    ))
      for (const a of await liveAlerts(`id IN ${sqlList(chunk)}`)) existing.set(a.id, a);
    await enqueue(outbox);
    const history: SqlValue[][] = [];
    const rows: SqlValue[][] = [];
    const version = nextVersion();
    for (const a of alerts) {
      const before = existing.get(a.id);
      const evaluated = a.suppressedBy ? 'suppressed' : 'open';
      // Triage decisions stand: only open or suppressed alerts follow the suppressions.
      const isTriaged = before !== undefined && !['open', 'suppressed'].includes(before.status);
      rows.push(
        alertRow(
          {
            ...a,
            status: isTriaged ? before.status : evaluated,
            createdAt: before?.createdAt ?? at,
            updatedAt: at,
            assignee: before?.assignee ?? null,
            resolution: before?.resolution ?? null,
          },
          version,
        ),
      );
      if (!before)
        history.push([
          a.id,
          at,
          nextVersion(),
          'trailwatch',
          'created',
          null,
          evaluated,
          a.suppressedBy ? `suppressed by ${a.suppressedBy}` : null,
        ]);
    }
    await conn.insert('alert_history', HISTORY_COLUMNS, history);
    await conn.insert('alerts', ALERT_COLUMNS, rows);
    const keep = new Set(alerts.map((a) => a.id));
    const gone: SqlValue[][] = [];
    for (const chunk of chunks(replaceKeys, 5000))
      for (const a of await liveAlerts(`status IN ('open', 'suppressed') AND alert_key IN ${sqlList(chunk)}`))
        if (!keep.has(a.id)) gone.push(alertRow(a, version, true));
    await conn.insert('alerts', ALERT_COLUMNS, gone);
    const marks: KeyMark[] = [];
    const unknown = evaluatedKeys.filter((k) => !seen.has(k));
    const readAt = nextVersion();
    for (const [key, count] of await matchCounts(unknown)) seen.set(key, { count, version: readAt });
    for (const key of evaluatedKeys) {
      marks.push({ key, count: 0, version: readAt, ...seen.get(key) });
      seen.delete(key);
    }
    await markKeys(marks);
    // Checked after these writes, as other writers check after theirs: a key whose matches changed
    // since evaluation read them is pending again (an evaluation that read them later may have
    // saved first, and this one's alert overwrote it), and a key another writer left without
    // matches loses its untriaged alerts.
    const counted = await matchCounts(evaluatedKeys);
    await resetKeys(marks.filter((m) => (counted.get(m.key) ?? 0) !== m.count).map((m) => m.key));
    const wasEvaluated = new Set(evaluatedKeys);
    await dropEmptied(
      [...new Set(alerts.map((a) => a.alertKey).filter((k) => wasEvaluated.has(k)))],
      counted,
    );
  }

  async function alerts(q: AlertQuery): Promise<StoredAlert[]> {
    const where: string[] = ['deleted = 0'];
    if (q.ids?.length) where.push(`(id IN ${sqlList(q.ids)} OR startsWith(id, ${sqlValue(q.ids[0] ?? '')}))`);
    if (q.minSeverity)
      where.push(`severity IN ${sqlList(SEVERITIES.slice(SEVERITIES.indexOf(q.minSeverity)))}`);
    for (const [col, values] of [
      ['rule_id', q.ruleIds],
      ['status', q.statuses],
      ['account', q.accounts],
    ] as const)
      if (values?.length) where.push(`${col} IN ${sqlList(values)}`);
    if (q.origins?.length) {
      const names = sqlList(q.origins.map((o) => o.toLowerCase()));
      where.push(`(lowerUTF8(origin_name) IN ${names} OR lowerUTF8(origin_id) IN ${names})`);
    }
    if (q.since !== undefined) where.push(`last_ms >= ${sqlValue(q.since)}`);
    if (q.until !== undefined) where.push(`first_ms <= ${sqlValue(q.until)}`);
    const rows = await conn.rows(
      `SELECT * FROM alerts FINAL WHERE ${where.join(' AND ')} ORDER BY last_ms DESC, id LIMIT ${Math.floor(q.limit ?? 1000)}`,
    );
    return rows.map(rowToAlert);
  }

  async function changeAlert(id: string, change: AlertUpdate): Promise<StoredAlert | null> {
    const [current] = await alerts({ ids: [id], limit: 1 });
    if (!current) return null;
    const to = change.status ?? (current.status as AlertStatus);
    const resolution =
      to === 'resolved'
        ? (change.resolution ?? current.resolution)
        : to === 'open'
          ? null
          : current.resolution;
    const next: StoredAlert = {
      ...current,
      status: to,
      assignee: change.assignee ?? current.assignee,
      resolution,
      updatedAt: change.at,
    };
    await conn.insert('alert_history', HISTORY_COLUMNS, [
      [
        current.id,
        change.at,
        nextVersion(),
        change.actor,
        change.action,
        current.status,
        to,
        change.detail ?? null,
      ],
    ]);
    await conn.insert('alerts', ALERT_COLUMNS, [alertRow(next, nextVersion())]);
    return (await alerts({ ids: [id], limit: 1 }))[0] ?? null;
  }

  async function alertHistory(id: string): Promise<AlertChange[]> {
    const rows = await conn.rows(
      `SELECT * FROM alert_history WHERE alert_id = ${sqlValue(id)} ORDER BY changed_ms, seq`,
    );
    // A crash between history and alert writes can leave a second 'created' entry: one is shown.
    let isCreated = false;
    return rows
      .filter((row) => {
        if (row.action !== 'created') return true;
        const isFirst = !isCreated;
        isCreated = true;
        return isFirst;
      })
      .map((row) => ({
        alertId: id,
        at: Number(row.changed_ms),
        actor: text(row, 'actor') ?? '',
        action: (text(row, 'action') ?? 'comment') as AlertChange['action'],
        fromStatus: text(row, 'from_status') as AlertStatus | null,
        toStatus: text(row, 'to_status') as AlertStatus | null,
        detail: text(row, 'detail'),
      }));
  }

  const suppressionRow = (sup: Suppression, removedAt: number | null): SqlValue[] => [
    sup.id,
    nextVersion(),
    sup.ruleId,
    JSON.stringify(sup.match),
    sup.reason,
    sup.author,
    sup.createdAt,
    sup.expiresAt,
    removedAt,
  ];

  /**
   * Adds a suppression; the open alerts it may cover are evaluated again. Written before the alerts
   * are read: an evaluation that read the suppressions before this write and saved its alerts after
   * that read is found by it, and one that saved later reads the suppressions again after its save.
   */
  async function addSuppression(sup: Suppression): Promise<void> {
    await conn.insert('suppressions', SUPPRESSION_COLUMNS, [suppressionRow(sup, null)]);
    const rule = sup.ruleId === null ? '' : ` AND rule_id = ${sqlValue(sup.ruleId)}`;
    const keys = await conn.rows(
      `SELECT DISTINCT alert_key FROM alerts FINAL WHERE deleted = 0 AND status = 'open'${rule}`,
    );
    await resetKeys(keys.map((r) => String(r.alert_key)));
  }

  function rowToSuppression(row: Row): Suppression {
    return {
      id: text(row, 'id') ?? '',
      ruleId: text(row, 'rule_id'),
      match: JSON.parse(text(row, 'match') ?? '{}') as Suppression['match'],
      reason: text(row, 'reason') ?? '',
      author: text(row, 'author') ?? '',
      createdAt: Number(row.created_ms),
      expiresAt: num(row, 'expires_ms'),
    };
  }

  async function suppressions(): Promise<Suppression[]> {
    const rows = await conn.rows(
      'SELECT * FROM suppressions FINAL WHERE removed_ms IS NULL ORDER BY created_ms, id',
    );
    return rows.map(rowToSuppression);
  }

  /** Removes a suppression; the alerts it covered are evaluated again. */
  async function removeSuppression(id: string, at: number): Promise<boolean> {
    const [row] = await conn.rows(
      `SELECT * FROM suppressions FINAL WHERE id = ${sqlValue(id)} AND removed_ms IS NULL`,
    );
    if (!row) return false;
    // Removed first, as addSuppression adds first.
    await conn.insert('suppressions', SUPPRESSION_COLUMNS, [suppressionRow(rowToSuppression(row), at)]);
    const keys = await conn.rows(
      `SELECT DISTINCT alert_key FROM alerts FINAL WHERE deleted = 0 AND suppressed_by = ${sqlValue(id)}`,
    );
    await resetKeys(keys.map((r) => String(r.alert_key)));
    return true;
  }

  async function dataStart(): Promise<number | null> {
    const [row] = await conn.rows('SELECT min(event_ms) AS t, count() AS c FROM events');
    return row && Number(row.c) > 0 ? Number(row.t) : null;
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
