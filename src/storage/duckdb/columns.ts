// The mapping between a normalized event and a row of the `events` table, both ways.
import { listValue, timestampValue } from '@duckdb/node-api';
import type { Actor, CloudTrailEvent } from '../../domain/event.js';
import type { Json } from '../../domain/json.js';
import { TEXT_COLUMNS } from '../columns.js';
import type { Column } from './chunks.js';

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

/**
 * The lowercased text free-text search looks in, stored per event (migration 6): one column scanned
 * with contains() instead of 21 columns with ILIKE — 1.0 s -> 0.38 s at 1M events, for about twice
 * the file size (docs/performance.md). Changing the columns needs a migration that recomputes it.
 */
export const SEARCH_TEXT = `lower(concat_ws(chr(31), ${TEXT_COLUMNS.join(', ')}))`;

/** The select list that `rowToEvent` (storage/rows) reads; the search text stays in the store. */
export const EVENT_SELECT = `* EXCLUDE (search_text), epoch_ms(event_time) AS event_ms`;
