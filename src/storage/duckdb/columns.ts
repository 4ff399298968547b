// The mapping between a normalized event and a row of the `events` table, both ways.
import type { DuckDBAppender } from '@duckdb/node-api';
import { LIST, VARCHAR, listValue, timestampValue } from '@duckdb/node-api';
import type { CloudTrailEvent } from '../../domain/event.js';
import type { Json } from '../../domain/json.js';
import { TEXT_COLUMNS } from '../columns.js';

const TEXT_LIST = LIST(VARCHAR);

/** Appends one event as a row; column order follows the migrations (1, then columns added by 2). */
export function appendEvent(a: DuckDBAppender, e: CloudTrailEvent): void {
  const text = (v: string | null): void => (v === null ? a.appendNull() : a.appendVarchar(v));
  const flag = (v: boolean | null): void => (v === null ? a.appendNull() : a.appendBoolean(v));
  const json = (v: Json): void => (v === null ? a.appendNull() : a.appendVarchar(JSON.stringify(v)));
  const u = e.actor;
  a.appendVarchar(e.eventId);
  a.appendVarchar(e.recipientAccountId);
  a.appendTimestamp(timestampValue(BigInt(e.eventTime) * 1000n));
  for (const v of [e.eventVersion, e.eventSource, e.eventName, e.eventType, e.eventCategory, e.awsRegion])
    text(v);
  for (const v of [e.sourceIpAddress, e.userAgent, e.errorCode, e.errorMessage]) text(v);
  flag(e.readOnly);
  flag(e.managementEvent);
  for (const v of [e.requestId, e.sharedEventId, e.vpcEndpointId]) text(v);
  for (const v of [u.type, u.arn, u.accountId, u.principalId, u.userName, u.accessKeyId, u.sessionName])
    text(v);
  for (const v of [
    u.sessionIssuerType,
    u.sessionIssuerArn,
    u.sessionIssuerUserName,
    u.sessionIssuerAccountId,
  ])
    text(v);
  flag(u.mfaAuthenticated);
  for (const v of [u.sessionCreationDate, u.sourceIdentity, u.invokedBy, u.identityProvider]) text(v);
  for (const v of [u.onBehalfOfUserId, u.onBehalfOfIdentityStoreArn, u.credentialId]) text(v);
  a.appendList(listValue(e.resources.flatMap((r) => (r.type ? [r.type] : []))), TEXT_LIST);
  a.appendList(listValue(e.resources.flatMap((r) => (r.arn ? [r.arn] : []))), TEXT_LIST);
  json(e.resources.length ? (e.resources as unknown as Json) : null);
  json(e.requestParameters);
  json(e.responseElements);
  json(e.additionalEventData);
  json(e.serviceEventDetails);
  a.appendList(listValue(e.notes), TEXT_LIST);
  a.appendVarchar(e.origin.objectId);
  a.appendInteger(e.origin.index);
  // migration 2
  for (const v of [u.inScopeOfIssuerType, u.inScopeOfCredentialsIssuedTo, u.ec2RoleDelivery]) text(v);
  flag(u.isAssumedRoot);
}

/**
 * The lowercased text free-text search looks in, stored per event (migration 6): one column scanned
 * with contains() instead of 21 columns with ILIKE — 1.0 s -> 0.38 s at 1M events, for about twice
 * the file size (docs/performance.md). Changing the columns needs a migration that recomputes it.
 */
export const SEARCH_TEXT = `lower(concat_ws(chr(31), ${TEXT_COLUMNS.join(', ')}))`;

/** The select list that `rowToEvent` (storage/rows) reads; the search text stays in the store. */
export const EVENT_SELECT = `* EXCLUDE (search_text), epoch_ms(event_time) AS event_ms`;
