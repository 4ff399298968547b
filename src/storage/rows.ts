// Result rows to domain objects, shared by the SQL adapters: both name their columns alike (times as
// epoch milliseconds in `*_ms` columns) and differ only in how a driver hands values over.
import type { Alert, MatchRow, OutboxItem } from '../domain/alert.js';
import type { Actor, CloudTrailEvent } from '../domain/event.js';
import type { CredentialKind, Origin, Resolution, StoredCredential } from '../domain/identity.js';
import type { Json } from '../domain/json.js';
import type { Severity } from '../domain/rule.js';
import type { StoredAlert } from './port.js';

export type Row = Record<string, unknown>;

/** A text column, or null when it is NULL (or not text). */
export function text(row: Row, col: string): string | null {
  const v = row[col];
  return typeof v === 'string' ? v : null;
}

/** A number column (drivers give 64-bit integers as bigints or strings). */
export function num(row: Row, col: string): number | null {
  const v = row[col];
  return v === null || v === undefined ? null : Number(v);
}

/** A boolean column (a BOOLEAN, a UInt8 where booleans do not exist, or 'true' / 'false' text in JSON). */
function flag(row: Row, col: string): boolean | null {
  const v = row[col];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return v === null || v === undefined ? null : Number(v) === 1;
}

/** A JSON text column parsed, or null when it is NULL. */
export function json(row: Row, col: string): Json {
  const v = text(row, col);
  return v === null ? null : (JSON.parse(v) as Json);
}

/** A list of text (an array, or DuckDB's list value with its `items`). */
export function list(row: Row, col: string): string[] {
  const v = row[col] as { items?: unknown[] } | unknown[] | null;
  const items = Array.isArray(v) ? v : (v?.items ?? []);
  return items.filter((x): x is string => typeof x === 'string');
}

export function rowToEvent(row: Row): CloudTrailEvent {
  const s = (col: string): string | null => text(row, col);
  const b = (col: string): boolean | null => flag(row, col);
  return {
    eventId: s('event_id') ?? '',
    recipientAccountId: s('recipient_account_id') ?? '',
    eventTime: Number(row.event_ms),
    eventVersion: s('event_version'),
    eventSource: s('event_source'),
    eventName: s('event_name'),
    eventType: s('event_type'),
    eventCategory: s('event_category'),
    awsRegion: s('aws_region'),
    sourceIpAddress: s('source_ip'),
    userAgent: s('user_agent'),
    errorCode: s('error_code'),
    errorMessage: s('error_message'),
    readOnly: b('read_only'),
    managementEvent: b('management_event'),
    requestId: s('request_id'),
    sharedEventId: s('shared_event_id'),
    vpcEndpointId: s('vpc_endpoint_id'),
    actor: {
      type: s('actor_type'),
      arn: s('actor_arn'),
      accountId: s('actor_account_id'),
      principalId: s('actor_principal_id'),
      userName: s('actor_user_name'),
      accessKeyId: s('actor_access_key_id'),
      sessionName: s('actor_session_name'),
      sessionIssuerType: s('actor_issuer_type'),
      sessionIssuerArn: s('actor_issuer_arn'),
      sessionIssuerUserName: s('actor_issuer_user_name'),
      sessionIssuerAccountId: s('actor_issuer_account_id'),
      mfaAuthenticated: b('actor_mfa'),
      sessionCreationDate: s('actor_session_created'),
      sourceIdentity: s('actor_source_identity'),
      invokedBy: s('actor_invoked_by'),
      identityProvider: s('actor_identity_provider'),
      onBehalfOfUserId: s('actor_on_behalf_of_user_id'),
      onBehalfOfIdentityStoreArn: s('actor_on_behalf_of_store_arn'),
      credentialId: s('actor_credential_id'),
      inScopeOfIssuerType: s('actor_in_scope_of_type'),
      inScopeOfCredentialsIssuedTo: s('actor_in_scope_of_issued_to'),
      ec2RoleDelivery: s('actor_ec2_role_delivery'),
      isAssumedRoot: b('actor_assumed_root'),
    },
    resources: (json(row, 'resources') as CloudTrailEvent['resources'] | null) ?? [],
    requestParameters: json(row, 'request_parameters'),
    responseElements: json(row, 'response_elements'),
    additionalEventData: json(row, 'additional_event_data'),
    serviceEventDetails: json(row, 'service_event_details'),
    notes: list(row, 'notes'),
    origin: { objectId: s('object_id') ?? '', index: Number(row.record_index) },
  };
}

export function rowToCredential(row: Row): StoredCredential {
  const s = (col: string): string | null => text(row, col);
  return {
    accessKeyId: s('access_key_id') ?? '',
    kind: s('kind') as CredentialKind,
    issuedAt: Number(row.issued_ms),
    expiresAt: num(row, 'expires_ms'),
    eventId: s('event_id') ?? '',
    recipientAccountId: s('recipient_account_id') ?? '',
    sharedEventId: s('shared_event_id'),
    caller: JSON.parse(s('caller') ?? '{}') as Actor,
    targetArn: s('target_arn'),
    roleArn: s('role_arn'),
    targetAccountId: s('target_account_id'),
    sessionName: s('session_name'),
    sourceIdentity: s('source_identity'),
    subject: s('subject'),
    provider: s('provider'),
    sourceIpAddress: s('source_ip'),
    resolution: JSON.parse(s('resolution') ?? '{}') as Resolution,
  };
}

export function rowToMatch(row: Row): MatchRow {
  const s = (col: string): string | null => text(row, col);
  return {
    ruleId: s('rule_id') ?? '',
    alertKey: s('alert_key') ?? '',
    eventId: s('event_id') ?? '',
    recipientAccountId: s('recipient_account_id') ?? '',
    eventTime: Number(row.event_ms),
    groupKey: s('group_key') ?? '',
    value: s('value'),
    step: s('step'),
    title: s('title') ?? '',
    severity: (s('severity') ?? 'medium') as Severity,
    region: s('region'),
    sourceIp: s('source_ip'),
    actorArn: s('actor_arn'),
    origin: JSON.parse(s('origin') ?? '{}') as Origin,
  };
}

export function rowToAlert(row: Row): StoredAlert {
  const s = (col: string): string | null => text(row, col);
  const alert: Alert = {
    id: s('id') ?? '',
    ruleId: s('rule_id') ?? '',
    alertKey: s('alert_key') ?? '',
    title: s('title') ?? '',
    severity: (s('severity') ?? 'medium') as Severity,
    groupKey: s('group_key') ?? '',
    firstSeen: Number(row.first_ms),
    lastSeen: Number(row.last_ms),
    count: Number(row.count),
    eventIds: JSON.parse(s('event_ids') ?? '[]') as string[],
    account: s('account') ?? '',
    region: s('region'),
    sourceIp: s('source_ip'),
    actorArn: s('actor_arn'),
    origin: JSON.parse(s('origin') ?? '{}') as Origin,
    suppressedBy: s('suppressed_by'),
  };
  return {
    ...alert,
    status: s('status') ?? 'open',
    createdAt: Number(row.created_ms),
    updatedAt: Number(row.updated_ms),
    assignee: s('assignee'),
    resolution: s('resolution'),
  };
}

export function rowToOutboxItem(row: Row): OutboxItem {
  const s = (col: string): string | null => text(row, col);
  return {
    id: s('id') ?? '',
    alertId: s('alert_id') ?? '',
    destination: s('destination') ?? '',
    kind: (s('kind') ?? 'new') as OutboxItem['kind'],
    payload: s('payload') ?? '{}',
    status: (s('status') ?? 'pending') as OutboxItem['status'],
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_ms),
    lastError: s('last_error'),
    createdAt: Number(row.created_ms),
    deliveredAt: num(row, 'delivered_ms'),
  };
}
