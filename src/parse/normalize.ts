// Normalize: a raw CloudTrail record becomes a typed event, or a quarantine reason. Never throws.
import { createHash } from 'node:crypto';
import type { Actor, CloudTrailEvent, ResourceRef } from '../domain/event.js';
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';
import type { QuarantineReason } from '../domain/ingest.js';
import { canonicalKeys } from './canonical-keys.js';
import { parseEventTime } from './time.js';

export interface NormalizeContext {
  objectId: string;
  index: number;
  /** The account from the object's key layout, the last fallback for `recipientAccountId`. */
  keyAccount: string | null;
}

export type Normalized =
  { ok: true; event: CloudTrailEvent } | { ok: false; reason: QuarantineReason; detail: string };

/** A string field whose type varies between APIs: strings kept, numbers and booleans stringified. */
export function str(value: Json | undefined): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function bool(value: Json | undefined): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'True') return true;
  if (value === 'false' || value === 'False') return false;
  return null;
}

function obj(value: Json | undefined): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** The session name is the last segment of an assumed-role or federated-user ARN. */
function sessionNameOf(arn: string | null): string | null {
  if (!arn) return null;
  const m = /:(?:assumed-role\/[^/]+|federated-user)\/(.+)$/.exec(arn);
  return m?.[1] ?? null;
}

export function normalizeActor(identity: Json | undefined): Actor {
  const ui = obj(identity);
  const ctx = obj(ui.sessionContext);
  const issuer = obj(ctx.sessionIssuer);
  const attrs = obj(ctx.attributes);
  const onBehalfOf = obj(ui.onBehalfOf);
  const inScopeOf = obj(ui.inScopeOf);
  const arn = str(ui.arn);
  return {
    type: str(ui.type),
    arn,
    accountId: str(ui.accountId),
    principalId: str(ui.principalId),
    userName: str(ui.userName),
    accessKeyId: str(ui.accessKeyId),
    sessionName: sessionNameOf(arn),
    sessionIssuerType: str(issuer.type),
    sessionIssuerArn: str(issuer.arn),
    sessionIssuerUserName: str(issuer.userName),
    sessionIssuerAccountId: str(issuer.accountId),
    mfaAuthenticated: bool(attrs.mfaAuthenticated),
    sessionCreationDate: str(attrs.creationDate),
    sourceIdentity: str(ctx.sourceIdentity) ?? str(ui.sourceIdentity),
    invokedBy: str(ui.invokedBy),
    identityProvider: str(ui.identityProvider),
    onBehalfOfUserId: str(onBehalfOf.userId),
    onBehalfOfIdentityStoreArn: str(onBehalfOf.identityStoreArn),
    credentialId: str(ui.credentialId),
    inScopeOfIssuerType: str(inScopeOf.issuerType),
    inScopeOfCredentialsIssuedTo: str(inScopeOf.credentialsIssuedTo),
    ec2RoleDelivery: str(ctx.ec2RoleDelivery),
    isAssumedRoot: bool(ctx.assumedRoot),
  };
}

function normalizeResources(value: Json | undefined): ResourceRef[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isJsonObject).map((r) => ({
    type: str(r.type),
    arn: str(r.ARN) ?? str(r.arn),
    accountId: str(r.accountId),
  }));
}

function hasOmitted(value: Json | undefined): boolean {
  return isJsonObject(value) && value.omitted === true;
}

/** A deterministic id for records without `eventID`, so that re-ingesting them still dedups. */
function syntheticId(record: JsonObject): string {
  return `tw-${createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32)}`;
}

export function normalizeRecord(original: JsonObject, ctx: NormalizeContext): Normalized {
  const notes: string[] = [];
  const record = canonicalKeys(original);
  if (record !== original) notes.push('keys-recased');
  if (!('eventTime' in record))
    return { ok: false, reason: 'missing-event-time', detail: 'record has no eventTime' };
  const time = parseEventTime(record.eventTime);
  if (!time)
    return {
      ok: false,
      reason: 'bad-event-time',
      detail: `eventTime ${JSON.stringify(record.eventTime)} is not a time (expected e.g. 2024-05-01T12:00:00Z)`,
    };
  if (time.isReformatted) notes.push('time-reformatted');

  let eventId = str(record.eventID);
  if (!eventId) {
    eventId = syntheticId(record);
    notes.push('synthetic-event-id');
  }
  const actor = normalizeActor(record.userIdentity);
  if (!isJsonObject(record.userIdentity)) notes.push('no-user-identity');
  let recipient = str(record.recipientAccountId);
  if (!recipient) {
    recipient = actor.accountId ?? ctx.keyAccount ?? '';
    notes.push('recipient-inferred');
  }
  for (const field of ['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventDetails'])
    if (hasOmitted(record[field])) notes.push(`omitted:${field}`);

  // An Insights record names the API it is about only inside insightDetails; searches by name find it there.
  const insight = isJsonObject(record.insightDetails) ? record.insightDetails : null;
  if (insight && !str(record.eventName) && str(insight.eventName)) notes.push('name-from-insight-details');
  const event: CloudTrailEvent = {
    eventId,
    recipientAccountId: recipient,
    eventTime: time.ms,
    eventVersion: str(record.eventVersion),
    eventSource: str(record.eventSource) ?? str(insight?.eventSource),
    eventName: str(record.eventName) ?? str(insight?.eventName),
    eventType: str(record.eventType),
    eventCategory: str(record.eventCategory),
    awsRegion: str(record.awsRegion),
    sourceIpAddress: str(record.sourceIPAddress),
    userAgent: str(record.userAgent),
    errorCode: str(record.errorCode),
    errorMessage: str(record.errorMessage),
    readOnly: bool(record.readOnly),
    managementEvent: bool(record.managementEvent),
    requestId: str(record.requestID),
    sharedEventId: str(record.sharedEventID),
    vpcEndpointId: str(record.vpcEndpointId),
    actor,
    resources: normalizeResources(record.resources),
    requestParameters: record.requestParameters ?? null,
    responseElements: record.responseElements ?? null,
    additionalEventData: record.additionalEventData ?? null,
    serviceEventDetails: record.serviceEventDetails ?? null,
    notes,
    origin: { objectId: ctx.objectId, index: ctx.index },
  };
  return { ok: true, event };
}
