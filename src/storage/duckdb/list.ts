// Lists of events (the storage port's EventView `list`): LIST_SELECT's columns, then the response
// elements of the page's credential calls, which attribution reads, fetched for those rows only.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CloudTrailEvent } from '../../domain/event.js';
import { credentialKindOf } from '../../domain/identity.js';
import { json, text, type Row } from '../rows.js';
import { rowToListedEvent } from './columns.js';
import { rowIdsIn } from './search.js';

const keyOf = (eventId: string, account: string): string => `${eventId}\u0000${account}`;

/** Events from rows of LIST_SELECT (read on `conn`), credential calls with their response elements. */
export async function readListed(conn: DuckDBConnection, rows: readonly Row[]): Promise<CloudTrailEvent[]> {
  const events = rows.map(rowToListedEvent);
  const wanted = new Map<string, number>();
  events.forEach((e, i) => {
    if (!e.errorCode && credentialKindOf(e.eventSource, e.eventName))
      wanted.set(keyOf(e.eventId, e.recipientAccountId), Number(rows[i]?.row_id));
  });
  if (!wanted.size) return events;
  const found = await responses(conn, rowIdsIn([...wanted.values()]));
  // A row id is the row's place in the table: a prune in between may have moved it. Those by key.
  const moved = [...wanted.keys()].filter((k) => !found.has(k));
  if (moved.length) {
    const byKey = await responses(
      conn,
      `(event_id, recipient_account_id) IN (${moved.map(() => '(?, ?)').join(', ')})`,
      moved.flatMap((k) => k.split('\u0000')),
    );
    for (const [k, v] of byKey) found.set(k, v);
  }
  return events.map((e) => {
    const response = found.get(keyOf(e.eventId, e.recipientAccountId));
    return response === undefined ? e : { ...e, responseElements: response };
  });
}

async function responses(
  conn: DuckDBConnection,
  where: string,
  params: string[] = [],
): Promise<Map<string, CloudTrailEvent['responseElements']>> {
  const r = await conn.runAndReadAll(
    `SELECT event_id, recipient_account_id, response_elements FROM events WHERE ${where}`,
    params,
  );
  const out = new Map<string, CloudTrailEvent['responseElements']>();
  for (const row of r.getRowObjects())
    out.set(
      keyOf(text(row, 'event_id') ?? '', text(row, 'recipient_account_id') ?? ''),
      json(row, 'response_elements'),
    );
  return out;
}
