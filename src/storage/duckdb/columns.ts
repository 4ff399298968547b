// The mapping between a normalized event and a row of the `events` table, both ways.
import { listValue, timestampValue } from '@duckdb/node-api';
import type { Actor, CloudTrailEvent } from '../../domain/event.js';
import type { Json } from '../../domain/json.js';
import { list, rowToEvent, type Row } from '../rows.js';
import type { Column } from './chunks.js';
import { ACTOR_COLUMNS, TEXT_COLUMN_GROUPS } from '../columns.js';

/** The keys of `T` whose values a column holds as they are (text and flags). */
type PlainKey<T> = { [K in keyof T]: T[K] extends string | boolean | null ? K : never }[keyof T];

const fields = (...keys: PlainKey<CloudTrailEvent>[]): Column<CloudTrailEvent>[] =>
  keys.map((k) => (e) => e[k]);
const actor = (...keys: PlainKey<Actor>[]): Column<CloudTrailEvent>[] => keys.map((k) => (e) => e.actor[k]);
const json = (v: Json): string | null => (v === null ? null : JSON.stringify(v));

/** The `events` columns in table order: migration 1, then the columns added by 2. */
export const EVENT_COLUMNS: readonly Column<CloudTrailEvent>[] = [
  ...fields('eventId', 'recipientAccountId'),
  (e) => timestampValue(BigInt(e.eventTime) * 1000n),
  ...fields('eventVersion', 'eventSource', 'eventName', 'eventType', 'eventCategory', 'awsRegion'),
  ...fields('sourceIpAddress', 'userAgent', 'errorCode', 'errorMessage', 'readOnly', 'managementEvent'),
  ...fields('requestId', 'sharedEventId', 'vpcEndpointId'),
  ...actor('type', 'arn', 'accountId', 'principalId', 'userName', 'accessKeyId', 'sessionName'),
  ...actor('sessionIssuerType', 'sessionIssuerArn', 'sessionIssuerUserName', 'sessionIssuerAccountId'),
  ...actor('mfaAuthenticated', 'sessionCreationDate', 'sourceIdentity', 'invokedBy', 'identityProvider'),
  ...actor('onBehalfOfUserId', 'onBehalfOfIdentityStoreArn', 'credentialId'),
  (e) => listValue(e.resources.flatMap((r) => (r.type ? [r.type] : []))),
  (e) => listValue(e.resources.flatMap((r) => (r.arn ? [r.arn] : []))),
  (e) => json(e.resources.length ? (e.resources as unknown as Json) : null),
  (e) => json(e.requestParameters),
  (e) => json(e.responseElements),
  (e) => json(e.additionalEventData),
  (e) => json(e.serviceEventDetails),
  (e) => listValue(e.notes),
  (e) => e.origin.objectId,
  (e) => e.origin.index,
  // migration 2
  ...actor('inScopeOfIssuerType', 'inScopeOfCredentialsIssuedTo', 'ec2RoleDelivery', 'isAssumedRoot'),
];

/** Characters of the ids searched in `search_ids`; an id with any other goes to `search_rest`. */
const ID_CHARACTERS = '0123456789abcdef-';
const isIdText = (column: string): string => `translate(lower(${column}), '${ID_CHARACTERS}', '') = ''`;
const joined = (parts: readonly string[]): string => `lower(concat_ws(chr(31), ${parts.join(', ')}))`;
const { context, ids, rest } = TEXT_COLUMN_GROUPS;

/**
 * Free text looks in the lowercased text of every column of TEXT_COLUMN_GROUPS (../columns),
 * stored per event in three columns (migration 9) so that a search reads as little as it can:
 * - `search_context`: who, from where, with what — few distinct values in each row group (an
 *   organisation has a few hundred principals, user agents and addresses), so DuckDB stores it with
 *   a dictionary and `contains` runs once per distinct value, not once per row;
 * - `search_ids`: event and request ids made only of hexadecimal digits and dashes (the UUIDs and
 *   hexadecimal strings AWS writes), read only when the searched text could be part of one;
 * - `search_rest`: the rest — access key ids, the JSON blocks, any id of other characters.
 * One column of everything (migration 6) made every search read ~770 bytes an event; now a search
 * reads ~350 bytes of the rest, the context's dictionary, and the ids' ~75 bytes only for text that
 * could be an id (docs/performance.md). Each column's value is computed from the `events` row, in
 * table order; changing them needs a migration that recomputes them.
 */
const SEARCH_VALUES = {
  search_context: joined(context),
  search_ids: joined(ids.map((c) => `CASE WHEN ${isIdText(c)} THEN ${c} END`)),
  search_rest: joined([...ids.map((c) => `CASE WHEN NOT (${isIdText(c)}) THEN ${c} END`), ...rest]),
};

export const SEARCH_COLUMNS = Object.keys(SEARCH_VALUES) as (keyof typeof SEARCH_VALUES)[];

/**
 * Whether free text could be found in `search_ids`: only text of id characters can. (No character
 * outside ASCII lowercases to one of them, so DuckDB's lower() agrees with this test.)
 */
export const couldBeId = (text: string): boolean => /^[0-9a-f-]+$/i.test(text);

/**
 * The user filter's names (user, role session, issuer), lowercased and joined with U+001F on both
 * sides, so that one `contains` per name tests all three (migration 9): few distinct values, so
 * DuckDB evaluates it once per dictionary entry, where `lower(…) IN` over three columns read them all
 * (~1 s a statement at 10M). Escaped so that no two lists of names give the same text: U+001E
 * becomes U+001E 0, U+001F becomes U+001E 1, and a missing name is U+001E n.
 */
const NAME_COLUMNS = ['actor_user_name', 'actor_session_name', 'actor_issuer_user_name'];
const escapeName = (v: string): string =>
  `replace(replace(lower(${v}), chr(30), chr(30) || '0'), chr(31), chr(30) || '1')`;
const namesValue = (columns: readonly string[]): string =>
  `chr(31) || concat_ws(chr(31), ${columns.map((c) => `coalesce(${escapeName(c)}, chr(30) || 'n')`).join(', ')}) || chr(31)`;

/**
 * The actor's names that the origin filter compares with an origin (search.ts, originBranches),
 * stored as `search_names` stores names (migration 11): a `contains` of the origin's needle is true
 * of every row where one of them equals it, and costs little (a few distinct values per row
 * group), so it goes before the exact tests, which read these columns for every row (the session
 * branch's ~110 ms at 1M against ~3 ms).
 */
const ORIGIN_NAME_COLUMNS = [
  'actor_arn',
  'actor_user_name',
  'actor_on_behalf_of_user_id',
  'actor_invoked_by',
  'actor_source_identity',
  'actor_session_name',
];

/** What `contains(…)` on `search_names` or `search_origin_names` looks for to find a name (as namesValue stores it). */
export const nameNeedle = (name: string): string =>
  `\u001f${name.toLowerCase().replaceAll('\u001e', '\u001e0').replaceAll('\u001f', '\u001e1')}\u001f`;

/**
 * The whole actor in one column, a JSON array of its columns as text (migration 10), for lists:
 * reading a page's rows costs DuckDB about the same per column whatever the column holds (a few ms
 * for 100 scattered rows at 1M events), and the actor is 23 columns. An organisation has few
 * actors, so the column keeps a dictionary and costs little room (~30 MB per million events).
 */
const LIST_ACTOR_VALUE = `to_json([${ACTOR_COLUMNS.map((c) => `${c}::VARCHAR`).join(', ')}])::VARCHAR`;

/** Columns computed from the others when events are stored, with their values, in table order. */
export const DERIVED_COLUMNS: readonly (readonly [string, string])[] = Object.entries({
  ...SEARCH_VALUES,
  search_names: namesValue(NAME_COLUMNS),
  list_actor: LIST_ACTOR_VALUE,
  search_origin_names: namesValue(ORIGIN_NAME_COLUMNS),
});

/** The columns of a list (storage port's EventView `list`): LIST_FIELDS, the actor, resources, request. */
export const LIST_SELECT = [
  'event_id',
  'recipient_account_id',
  'epoch_ms(event_time) AS event_ms',
  'event_source',
  'event_name',
  'event_type',
  'event_category',
  'aws_region',
  'source_ip',
  'error_code',
  'read_only',
  'resource_names',
  'request_parameters',
  'list_actor',
  'object_id',
  'record_index',
  'rowid AS row_id',
].join(', ');

/**
 * An event from a row of LIST_SELECT: the actor's columns back from `list_actor`, the resources
 * from their ARNs; what the list does not read is null or empty, as rowToEvent leaves a missing column.
 */
export function rowToListedEvent(row: Row): CloudTrailEvent {
  const resources = list(row, 'resource_names').map((arn) => ({ type: null, arn, accountId: null }));
  return { ...rowToEvent(withListedActor(row)), resources };
}

/** The row with the actor's columns back from `list_actor`. */
function withListedActor(row: Row): Row {
  const values = JSON.parse(String(row.list_actor)) as (string | null)[];
  // The flags are 'true' or 'false' text here, which rowToEvent reads as it reads a BOOLEAN.
  const withActor: Row = { ...row };
  ACTOR_COLUMNS.forEach((c, i) => (withActor[c] = values[i] ?? null));
  return withActor;
}

/** Every column of `events` but those the store computes (the derived ones and `seq`), which stay in it. */
export const STORED_COLUMNS = `* EXCLUDE (${[...DERIVED_COLUMNS.map(([c]) => c), 'seq'].join(', ')})`;

/** The select list that `rowToEvent` (storage/rows) reads. */
export const EVENT_SELECT = `${STORED_COLUMNS}, epoch_ms(event_time) AS event_ms`;

/**
 * What rowToWholeEvent reads: the select list of EVENT_SELECT with the actor from `list_actor`, one
 * column instead of 23, and without the resources' lists (their JSON has them). A page of rows
 * scattered over the store costs DuckDB about the same per column whatever it holds: 100 whole
 * events of a rare term at 1M took 74 ms by every column, 38 ms so. A store without its search
 * columns (OpenOptions `searchable`) has no `list_actor` and reads EVENT_SELECT.
 */
export const WHOLE_SELECT = `* EXCLUDE (${[
  ...DERIVED_COLUMNS.map(([c]) => c).filter((c) => c !== 'list_actor'),
  'seq',
  ...ACTOR_COLUMNS,
  'resource_types',
  'resource_names',
].join(', ')}), epoch_ms(event_time) AS event_ms`;

/** An event from a row of WHOLE_SELECT. */
export const rowToWholeEvent = (row: Row): CloudTrailEvent => rowToEvent(withListedActor(row));
