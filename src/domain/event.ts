// The normalized CloudTrail event: typed top-level fields, a flattened actor, JSON blocks kept as JSON.
import type { Resolution } from './identity.js';
import type { Json, JsonObject } from './json.js';

/** `userIdentity` flattened: every field a search or rule needs, null where the record has none. */
export interface Actor {
  type: string | null;
  arn: string | null;
  accountId: string | null;
  principalId: string | null;
  userName: string | null;
  accessKeyId: string | null;
  /** For role sessions, the session name (last segment of an assumed-role or federated-user ARN). */
  sessionName: string | null;
  sessionIssuerType: string | null;
  sessionIssuerArn: string | null;
  sessionIssuerUserName: string | null;
  sessionIssuerAccountId: string | null;
  mfaAuthenticated: boolean | null;
  sessionCreationDate: string | null;
  sourceIdentity: string | null;
  invokedBy: string | null;
  identityProvider: string | null;
  onBehalfOfUserId: string | null;
  onBehalfOfIdentityStoreArn: string | null;
  credentialId: string | null;
  /** `inScopeOf`: the resource the credentials were issued to (an EC2 instance, a Lambda function). */
  inScopeOfIssuerType: string | null;
  inScopeOfCredentialsIssuedTo: string | null;
  /** `sessionContext.ec2RoleDelivery`: set for instance-profile sessions (IMDS version). */
  ec2RoleDelivery: string | null;
  /** `sessionContext.assumedRoot`: a session from `sts:AssumeRoot`. */
  isAssumedRoot: boolean | null;
}

export interface ResourceRef {
  type: string | null;
  arn: string | null;
  accountId: string | null;
}

/** Where a record came from: the source object and its position in the decoded record list. */
export interface RecordOrigin {
  objectId: string;
  index: number;
}

export interface CloudTrailEvent {
  eventId: string;
  /** The (eventID, recipientAccountId) pair is the dedup key. */
  recipientAccountId: string;
  /** Milliseconds since the epoch, UTC. */
  eventTime: number;
  eventVersion: string | null;
  eventSource: string | null;
  eventName: string | null;
  eventType: string | null;
  eventCategory: string | null;
  awsRegion: string | null;
  sourceIpAddress: string | null;
  userAgent: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  readOnly: boolean | null;
  managementEvent: boolean | null;
  requestId: string | null;
  sharedEventId: string | null;
  vpcEndpointId: string | null;
  actor: Actor;
  resources: ResourceRef[];
  requestParameters: Json;
  responseElements: Json;
  additionalEventData: Json;
  serviceEventDetails: Json;
  /** What normalization had to do to this record (e.g. `synthetic-event-id`, `time-reformatted`). */
  notes: string[];
  origin: RecordOrigin;
}

/** A stored event without its fields: what identifies it, its time, and the record it came from. */
export interface EventLocation {
  eventId: string;
  recipientAccountId: string;
  eventTime: number;
  origin: RecordOrigin;
}

/** A stored event as search returns it, optionally with its raw record and its attribution. */
export interface StoredEvent extends CloudTrailEvent {
  raw?: JsonObject;
  resolution?: Resolution;
  sessionNameCheck?: SessionNameCheckResult | null;
}

/** The session-name policy's verdict on an AssumeRole (see identity/session-name). */
export interface SessionNameCheckResult {
  policy: string;
  verdict: 'identifies-caller' | 'hides-caller' | 'not-applicable';
  sessionName: string | null;
  expected: string[];
}
