// The mapping between a normalized event and a row of the ClickHouse `events` table, both ways.
import { createHash } from 'node:crypto';
import type { CloudTrailEvent } from '../../domain/event.js';
import type { Json } from '../../domain/json.js';
import { ACTOR_COLUMNS } from '../columns.js';
import type { SqlValue } from './sql.js';

export const EVENT_COLUMNS = [
  'event_id',
  'recipient_account_id',
  'event_ms',
  'event_version',
  'event_source',
  'event_name',
  'event_type',
  'event_category',
  'aws_region',
  'source_ip',
  'user_agent',
  'error_code',
  'error_message',
  'read_only',
  'management_event',
  'request_id',
  'shared_event_id',
  'vpc_endpoint_id',
  ...ACTOR_COLUMNS,
  'resource_types',
  'resource_names',
  'resources',
  'request_parameters',
  'response_elements',
  'additional_event_data',
  'service_event_details',
  'notes',
  'object_id',
  'record_index',
  'issued_key',
  'content_key',
] as const;

const json = (v: Json): string | null => (v === null ? null : JSON.stringify(v));

/**
 * What a re-delivered copy shares with the stored event (the fields DuckDB compares): equal keys
 * mean a duplicate, different ones a record reusing the id.
 */
export function contentKey(e: CloudTrailEvent): string {
  const fields = [
    e.eventTime,
    e.eventName,
    e.eventSource,
    e.requestId,
    e.actor.arn,
    e.actor.accessKeyId,
    e.sourceIpAddress,
    e.userAgent,
    e.errorCode,
    json(e.requestParameters),
    json(e.responseElements),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 32);
}

/** The access key an event's response hands out (`credentials.accessKeyId`), if any. */
function issuedKey(e: CloudTrailEvent): string | null {
  const r = e.responseElements;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return null;
  const c = r.credentials;
  if (!c || typeof c !== 'object' || Array.isArray(c)) return null;
  return typeof c.accessKeyId === 'string' ? c.accessKeyId : null;
}

export function eventRow(e: CloudTrailEvent): SqlValue[] {
  const u = e.actor;
  return [
    e.eventId,
    e.recipientAccountId,
    e.eventTime,
    e.eventVersion,
    e.eventSource,
    e.eventName,
    e.eventType,
    e.eventCategory,
    e.awsRegion,
    e.sourceIpAddress,
    e.userAgent,
    e.errorCode,
    e.errorMessage,
    e.readOnly,
    e.managementEvent,
    e.requestId,
    e.sharedEventId,
    e.vpcEndpointId,
    u.type,
    u.arn,
    u.accountId,
    u.principalId,
    u.userName,
    u.accessKeyId,
    u.sessionName,
    u.sessionIssuerType,
    u.sessionIssuerArn,
    u.sessionIssuerUserName,
    u.sessionIssuerAccountId,
    u.mfaAuthenticated,
    u.sessionCreationDate,
    u.sourceIdentity,
    u.invokedBy,
    u.identityProvider,
    u.onBehalfOfUserId,
    u.onBehalfOfIdentityStoreArn,
    u.credentialId,
    u.inScopeOfIssuerType,
    u.inScopeOfCredentialsIssuedTo,
    u.ec2RoleDelivery,
    u.isAssumedRoot,
    e.resources.flatMap((r) => (r.type ? [r.type] : [])),
    e.resources.flatMap((r) => (r.arn ? [r.arn] : [])),
    e.resources.length ? JSON.stringify(e.resources) : null,
    json(e.requestParameters),
    json(e.responseElements),
    json(e.additionalEventData),
    json(e.serviceEventDetails),
    e.notes,
    e.origin.objectId,
    e.origin.index,
    issuedKey(e),
    contentKey(e),
  ];
}
