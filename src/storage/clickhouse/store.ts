// The ClickHouse store: the same port as DuckDB, for volumes one machine cannot hold. No transactions:
// a batch is written events first and its object checkpoint last, so a crash in between only makes
// the next run read the object again, and every re-written row collapses into the stored one.
import type { EventLocation } from '../../domain/event.js';
import type { StoredCredential } from '../../domain/identity.js';
import type { AppendResult, IngestBatch, QuarantineEntry } from '../../domain/ingest.js';
import type {
  AccountFreshness,
  EventQuery,
  EventSummary,
  FacetField,
  ObjectSummary,
  Store,
  StoreStats,
} from '../port.js';
import { StoreError } from '../port.js';
import { alertFunctions, MATCH_COLUMNS, matchRow } from './alerts.js';
import { connect, type Connection } from './client.js';
import { contentKey, EVENT_COLUMNS, eventRow } from './columns.js';
import { num as n, rowToCredential, rowToEvent, text as s } from '../rows.js';
import { FACET_COLUMNS, withoutCursor } from '../columns.js';
import { histogramOf, timelineOf } from '../histogram.js';
import { CREDENTIAL_COLUMNS, credentialRow } from './credentials.js';
import { migrate } from './migrate.js';
import { operationFunctions } from './operations.js';
import { outboxFunctions } from './outbox.js';
import { buildSearch, buildWhere } from './search.js';
import { chunks, dateTime, sqlList, sqlValue, type SqlValue } from './sql.js';
import { parseClickhouseUrl } from './url.js';
import { nextVersion } from './version.js';

const OBJECT_COLUMNS = [
  'object_id',
  'identity',
  'uri',
  'size',
  'kind',
  'records',
  'quarantined',
  'ingested_ms',
  'content',
];
const QUARANTINE_COLUMNS = ['object_id', 'record_index', 'reason', 'detail', 'sample'];

function quarantineRow(q: QuarantineEntry): SqlValue[] {
  return [q.objectId, q.index ?? -1, q.reason, q.detail, q.sample === null ? null : JSON.stringify(q.sample)];
}

function toStoreError(url: string, err: unknown): StoreError {
  const e = err as Error & { code?: string };
  const reason = e.code === 'ECONNREFUSED' ? 'nothing answers there (is ClickHouse running?)' : e.message;
  return new StoreError(`cannot open the ClickHouse store ${url}: ${reason}`);
}

export async function openClickhouseStore(url: string, now: () => number = Date.now): Promise<Store> {
  const address = parseClickhouseUrl(url);
  const [first] = address.nodes;
  const conn: Connection = connect({
    url: first as string,
    username: address.username,
    password: address.password,
    database: address.database,
  });
  try {
    await migrate(address);
  } catch (err) {
    await conn.close();
    throw toStoreError(url.replace(/\/\/[^@/]*@/, '//'), err);
  }

  /** The stored twins (same id and account, within the batch's time span) of a batch's events. */
  async function storedKeys(batch: IngestBatch): Promise<Map<string, string>> {
    const stored = new Map<string, string>();
    if (!batch.events.length) return stored;
    const times = batch.events.map((e) => e.eventTime);
    const span = `event_time BETWEEN ${sqlValue(dateTime(Math.min(...times)))} AND ${sqlValue(dateTime(Math.max(...times)))}`;
    for (const chunk of chunks([...new Set(batch.events.map((e) => e.eventId))])) {
      const rows = await conn.rows(
        `SELECT event_id, recipient_account_id, content_key FROM events WHERE ${span} AND event_id IN ${sqlList(chunk)}`,
      );
      for (const r of rows)
        stored.set(`${String(r.event_id)}\u0000${String(r.recipient_account_id)}`, String(r.content_key));
    }
    return stored;
  }

  async function appendBatch(batch: IngestBatch): Promise<AppendResult> {
    const stored = await storedKeys(batch);
    const fresh: typeof batch.events = [];
    const conflicts: QuarantineEntry[] = [];
    let duplicates = 0;
    // The first copy of each key (in object, record order) is the one kept, as in DuckDB.
    const ordered = [...batch.events].sort(
      (a, b) =>
        (a.origin.objectId < b.origin.objectId ? -1 : a.origin.objectId > b.origin.objectId ? 1 : 0) ||
        a.origin.index - b.origin.index,
    );
    for (const e of ordered) {
      const key = `${e.eventId}\u0000${e.recipientAccountId}`;
      const content = contentKey(e);
      const twin = stored.get(key);
      if (twin === undefined) {
        stored.set(key, content);
        fresh.push(e);
      } else if (twin === content) duplicates++;
      else
        conflicts.push({
          objectId: e.origin.objectId,
          index: e.origin.index,
          reason: 'conflicting-event-id',
          detail: `eventID ${e.eventId} in account ${e.recipientAccountId} is already stored for a different record; this one is kept here`,
          sample: null,
        });
    }
    const version = nextVersion();
    // Matches of events stored before stay as they are (made again when attribution changes).
    const isNew = new Set(fresh.map((e) => `${e.eventId}\u0000${e.recipientAccountId}`));
    const matches = batch.matches.filter((m) => {
      const key = `${m.eventId}\u0000${m.recipientAccountId}`;
      return !stored.has(key) || isNew.has(key);
    });
    await conn.insert('matches', MATCH_COLUMNS, matches.map(matchRow));
    await conn.insert(
      'credentials',
      [...CREDENTIAL_COLUMNS],
      batch.credentials.map((c) => credentialRow(c, version)),
    );
    await conn.insert('events', [...EVENT_COLUMNS], fresh.map(eventRow));
    await conn.insert(
      'quarantine',
      QUARANTINE_COLUMNS,
      [...batch.quarantine, ...conflicts].map(quarantineRow),
    );
    const at = now();
    await conn.insert(
      'objects',
      OBJECT_COLUMNS,
      batch.objects.map((o) => [
        o.objectId,
        o.identity,
        o.uri,
        o.size,
        o.kind,
        o.records,
        o.quarantined,
        at,
        o.content,
      ]),
    );
    return { stored: fresh.length, duplicates, conflicts: conflicts.length };
  }

  async function storedObjects(identities: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks(identities))
      for (const r of await conn.rows(
        `SELECT DISTINCT identity FROM objects WHERE identity IN ${sqlList(chunk)}`,
      ))
        found.add(String(r.identity));
    return found;
  }

  async function locateEvents(q: EventQuery): Promise<EventLocation[]> {
    const rows = await conn.rows(
      `SELECT event_id, recipient_account_id, event_ms, object_id, record_index
       FROM events FINAL${buildWhere(withoutCursor(q))}`,
    );
    return rows.map((r) => ({
      eventId: String(r.event_id),
      recipientAccountId: String(r.recipient_account_id),
      eventTime: Number(r.event_ms),
      origin: { objectId: String(r.object_id), index: Number(r.record_index) },
    }));
  }

  async function searchEvents(q: EventQuery) {
    return (await conn.rows(buildSearch(q))).map(rowToEvent);
  }

  function histogram(q: EventQuery, start: number, bucketMs: number, buckets: number) {
    return histogramOf(q, start, bucketMs, buckets, async (bounded, from, step) =>
      (
        await conn.rows(
          `SELECT intDiv(event_ms - ${from}, ${step}) AS b, count() AS n, count(error_code) AS e
           FROM events FINAL${buildWhere(bounded)} GROUP BY b`,
        )
      ).map((r) => ({ bucket: Number(r.b), count: Number(r.n), errors: Number(r.e) })),
    );
  }

  async function summarizeEvents(
    q: EventQuery,
    facets: readonly FacetField[],
    top = 10,
  ): Promise<EventSummary> {
    const where = buildWhere(q);
    const [t] = await conn.rows(
      `SELECT count() AS n, min(event_ms) AS first, max(event_ms) AS last, count(error_code) AS errors
       FROM events FINAL${where}`,
    );
    const count = Number(t?.n ?? 0);
    const summary: EventSummary = {
      count,
      firstSeen: count ? n(t ?? {}, 'first') : null,
      lastSeen: count ? n(t ?? {}, 'last') : null,
      errors: Number(t?.errors ?? 0),
      facets: {},
    };
    for (const field of facets) {
      const rows = await conn.rows(
        `SELECT ${FACET_COLUMNS[field]} AS value, count() AS n FROM events FINAL${where}
         GROUP BY value ORDER BY n DESC, value LIMIT ${Math.floor(top)}`,
      );
      summary.facets[field] = rows.map((r) => ({ value: s(r, 'value'), count: Number(r.n) }));
    }
    return summary;
  }

  async function credentialsWhere(where: string, limit = 100_000): Promise<StoredCredential[]> {
    const rows = await conn.rows(
      `SELECT * FROM credentials FINAL WHERE ${where} ORDER BY issued_ms, access_key_id LIMIT ${Math.floor(limit)}`,
    );
    return rows.map(rowToCredential);
  }

  async function credentials(keys: readonly string[]) {
    const out = new Map<string, StoredCredential>();
    for (const chunk of chunks(keys))
      for (const c of await credentialsWhere(`access_key_id IN ${sqlList(chunk)}`)) out.set(c.accessKeyId, c);
    return out;
  }

  async function credentialChildren(parentKeys: readonly string[]) {
    const out: StoredCredential[] = [];
    for (const chunk of chunks(parentKeys))
      out.push(...(await credentialsWhere(`caller_access_key_id IN ${sqlList(chunk)}`)));
    return out;
  }

  function findCredentials(term: string, limit = 1000) {
    const t = sqlValue(term);
    const lower = sqlValue(term.toLowerCase());
    const caseless = ['origin_id', 'origin_name', 'target_arn', 'role_arn', 'session_name', 'caller_arn'];
    return credentialsWhere(
      `access_key_id = ${t} OR caller_access_key_id = ${t} OR ${caseless.map((c) => `lowerUTF8(${c}) = ${lower}`).join(' OR ')}`,
      limit,
    );
  }

  async function objectContents(ids: readonly string[]) {
    const out = new Map<string, { uri: string; content: Uint8Array }>();
    for (const chunk of chunks(ids))
      for (const r of await conn.rows(
        `SELECT object_id, any(uri) AS uri, any(hex(content)) AS content FROM objects WHERE object_id IN ${sqlList(chunk)} GROUP BY object_id`,
      ))
        out.set(String(r.object_id), {
          uri: String(r.uri),
          content: new Uint8Array(Buffer.from(String(r.content), 'hex')),
        });
    return out;
  }

  async function quarantine(limit = 1000) {
    const rows = await conn.rows(
      `SELECT q.object_id AS object_id, record_index, reason, detail, sample, uri FROM (SELECT * FROM quarantine FINAL) AS q
       ANY LEFT JOIN (SELECT object_id, uri, ingested_ms FROM objects FINAL) USING object_id
       ORDER BY ingested_ms DESC, object_id, record_index LIMIT ${Math.floor(limit)}`,
    );
    return rows.map((row): QuarantineEntry & { uri: string } => {
      const index = Number(row.record_index);
      const sample = s(row, 'sample');
      return {
        objectId: String(row.object_id),
        index: index < 0 ? null : index,
        reason: String(row.reason) as QuarantineEntry['reason'],
        detail: String(row.detail),
        sample: sample === null ? null : (JSON.parse(sample) as QuarantineEntry['sample']),
        uri: String(row.uri),
      };
    });
  }

  async function objects(limit = 1000): Promise<ObjectSummary[]> {
    const rows = await conn.rows(
      `SELECT object_id, uri, kind, records, quarantined, ingested_ms FROM objects FINAL
       ORDER BY ingested_ms DESC, uri LIMIT ${Math.floor(limit)}`,
    );
    return rows.map((r) => ({
      objectId: String(r.object_id),
      uri: String(r.uri),
      kind: String(r.kind) as ObjectSummary['kind'],
      records: Number(r.records),
      quarantined: Number(r.quarantined),
      ingestedAt: Number(r.ingested_ms),
    }));
  }

  async function stats(): Promise<StoreStats> {
    const [e] = await conn.rows(
      'SELECT count() AS n, min(event_ms) AS oldest, max(event_ms) AS newest FROM events FINAL',
    );
    const [o] = await conn.rows('SELECT count() AS n FROM objects FINAL');
    const [q] = await conn.rows('SELECT count() AS n FROM quarantine FINAL');
    const events = Number(e?.n ?? 0);
    return {
      events,
      objects: Number(o?.n ?? 0),
      quarantined: Number(q?.n ?? 0),
      newestEventTime: events ? n(e ?? {}, 'newest') : null,
      oldestEventTime: events ? n(e ?? {}, 'oldest') : null,
    };
  }

  async function freshness(): Promise<AccountFreshness[]> {
    const rows = await conn.rows(
      `SELECT recipient_account_id AS account, max(newest) AS newest, max(ingested_ms) AS ingested FROM (
         SELECT recipient_account_id, object_id, max(event_ms) AS newest FROM events GROUP BY recipient_account_id, object_id)
       ANY INNER JOIN (SELECT object_id, ingested_ms FROM objects FINAL) USING object_id
       GROUP BY account ORDER BY account`,
    );
    return rows.map((r) => ({
      account: String(r.account),
      newestEvent: Number(r.newest),
      lastIngest: Number(r.ingested),
    }));
  }

  const outbox = outboxFunctions(conn);
  return {
    ...alertFunctions(conn, now, outbox.enqueue),
    ...outbox,
    storedObjects,
    appendBatch,
    searchEvents,
    locateEvents,
    summarizeEvents,
    histogram,
    timeline: (q: EventQuery, buckets: number) => timelineOf({ summarizeEvents, histogram }, q, buckets),
    ...operationFunctions(conn, address),
    credentials,
    credentialChildren,
    findCredentials,
    objectContents,
    quarantine,
    objects,
    stats,
    freshness,
    close: () => conn.close(),
  };
}
