// A stored CloudTrail event as one OCSF event (mapping of the OCSF examples for CloudTrail, v1.1.0).
import type { Actor, StoredEvent } from '../domain/event.js';
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';
import { classify, FEDERATED_SIGN_INS } from './ocsf-classes.js';
import { cloudOf, compact, OCSF_VERSION, originEnrichment, PRODUCT, timeDt } from './ocsf-common.js';

/** Record fields the mapping places; anything else in the raw record goes to `unmapped`. */
const MAPPED = new Set([
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'requestParameters',
  'responseElements',
  'requestID',
  'eventID',
  'eventType',
  'apiVersion',
  'recipientAccountId',
  'sharedEventID',
  'vpcEndpointId',
  'eventCategory',
  'errorCode',
  'errorMessage',
  'resources',
]);

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-fA-F:]+:[0-9a-fA-F:.]*$/;

const USER_TYPE_IDS: Record<string, number> = {
  IAMUser: 1,
  AssumedRole: 1,
  FederatedUser: 1,
  IdentityCenterUser: 1,
  SAMLUser: 1,
  WebIdentityUser: 1,
  Root: 2,
  AWSService: 3,
};

const field = (v: Json | undefined, key: string): Json | undefined => (isJsonObject(v) ? v[key] : undefined);
const text = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);

function userOf(a: Actor): JsonObject {
  return {
    uid: a.arn,
    uid_alt: a.principalId,
    name: a.userName ?? a.sessionName,
    type: a.type,
    type_id: a.type === null ? 0 : (USER_TYPE_IDS[a.type] ?? 99),
    account: a.accountId ? { uid: a.accountId, type: 'AWS Account', type_id: 10 } : null,
    credential_uid: a.accessKeyId,
  };
}

function actorOf(a: Actor): JsonObject {
  const created = a.sessionCreationDate ? Date.parse(a.sessionCreationDate) : NaN;
  return {
    user: userOf(a),
    session: {
      credential_uid: a.accessKeyId,
      issuer: a.sessionIssuerArn,
      is_mfa: a.mfaAuthenticated,
      created_time: Number.isNaN(created) ? null : created,
      created_time_dt: a.sessionCreationDate,
    },
    invoked_by: a.invokedBy,
    idp: a.identityProvider ? { name: a.identityProvider } : null,
  };
}

/** Success unless the call failed; a console sign-in says so in its response even without an error code. */
function statusOf(e: StoredEvent): { id: number; name: string } {
  const login = text(field(e.responseElements, e.eventName ?? ''));
  if (login === 'Failure' || e.errorCode || e.errorMessage) return { id: 2, name: 'Failure' };
  return { id: 1, name: 'Success' };
}

/** Fields of the authentication class: who signed in, with MFA or not, through which protocol. */
function authenticationOf(e: StoredEvent): JsonObject {
  const federated = e.eventSource === 'sts.amazonaws.com' ? FEDERATED_SIGN_INS[e.eventName ?? ''] : undefined;
  if (federated) {
    const assumed = field(e.responseElements, 'assumedRoleUser');
    return {
      user: {
        name: text(field(e.requestParameters, 'roleSessionName')),
        uid: text(field(assumed, 'arn')),
        type: 'AssumedRole',
        type_id: 1,
      },
      auth_protocol: federated.protocol,
      auth_protocol_id: federated.protocolId,
      service: { name: e.eventSource },
    };
  }
  const mfa = text(field(e.additionalEventData, 'MFAUsed'));
  return {
    user: userOf(e.actor),
    is_mfa: mfa === null ? null : mfa.toLowerCase() === 'yes',
    service: { name: e.eventSource },
  };
}

/** Fields of the account-change class: the user or role that was changed. */
function accountChangeOf(e: StoredEvent): JsonObject {
  const userName = text(field(e.requestParameters, 'userName'));
  const roleName = text(field(e.requestParameters, 'roleName'));
  const created = field(e.responseElements, userName ? 'user' : 'role');
  return {
    user: {
      name: userName ?? roleName ?? e.actor.userName,
      uid: text(field(created, 'arn')),
      type: userName ? 'IAMUser' : roleName ? 'Role' : null,
      account: { uid: e.recipientAccountId, type: 'AWS Account', type_id: 10 },
    },
  };
}

function unmappedOf(e: StoredEvent): JsonObject {
  const a = e.actor;
  const extra: JsonObject = {};
  for (const [k, v] of Object.entries(e.raw ?? {})) if (!MAPPED.has(k)) extra[k] = v;
  return {
    readOnly: e.readOnly,
    managementEvent: e.managementEvent,
    additionalEventData: e.additionalEventData,
    serviceEventDetails: e.serviceEventDetails,
    userIdentity: {
      sourceIdentity: a.sourceIdentity,
      onBehalfOf: a.onBehalfOfUserId
        ? { userId: a.onBehalfOfUserId, identityStoreArn: a.onBehalfOfIdentityStoreArn }
        : null,
      inScopeOf: a.inScopeOfIssuerType
        ? { issuerType: a.inScopeOfIssuerType, credentialsIssuedTo: a.inScopeOfCredentialsIssuedTo }
        : null,
      ec2RoleDelivery: a.ec2RoleDelivery,
      assumedRoot: a.isAssumedRoot,
      credentialId: a.credentialId,
    },
    sessionNameCheck: (e.sessionNameCheck ?? null) as JsonObject | null,
    trailwatchNotes: e.notes,
    ...extra,
  };
}

/** One OCSF object per event; `raw` (when attached) supplies `apiVersion` and unmapped record fields. */
export function eventToOcsf(e: StoredEvent): JsonObject {
  const c = classify(e);
  const status = statusOf(e);
  const source = e.sourceIpAddress;
  const isIp = source !== null && (IPV4.test(source) || IPV6.test(source));
  const ocsf = {
    class_uid: c.classUid,
    class_name: c.className,
    category_uid: c.categoryUid,
    category_name: c.categoryName,
    activity_id: c.activityId,
    activity_name: c.activityName,
    type_uid: c.classUid * 100 + c.activityId,
    type_name: `${c.className}: ${c.activityName}`,
    severity_id: 1,
    severity: 'Informational',
    status_id: status.id,
    status: status.name,
    status_code: e.errorCode,
    status_detail: e.errorMessage,
    time: e.eventTime,
    time_dt: timeDt(e.eventTime),
    metadata: {
      version: OCSF_VERSION,
      uid: e.eventId,
      product: { ...PRODUCT, feature: e.eventCategory ? { name: e.eventCategory } : null },
      profiles: ['cloud', 'datetime'],
      log_name: 'CloudTrail',
      log_provider: 'AWS',
      log_version: e.eventVersion,
      event_code: e.eventType,
      correlation_uid: e.sharedEventId,
    },
    actor: actorOf(e.actor),
    src_endpoint: { ip: isIp ? source : null, domain: isIp ? null : source, uid: e.vpcEndpointId },
    http_request: { user_agent: e.userAgent },
    api: {
      operation: e.eventName,
      service: { name: e.eventSource },
      version: text(e.raw?.apiVersion),
      request: { uid: e.requestId, data: e.requestParameters },
      response: { error: e.errorCode, message: e.errorMessage, data: e.responseElements },
    },
    cloud: cloudOf(e.recipientAccountId, e.awsRegion),
    resources: e.resources.map((r) => ({
      uid: r.arn,
      type: r.type,
      account: r.accountId ? { uid: r.accountId } : null,
    })),
    ...(c.classUid === 3002 ? authenticationOf(e) : c.classUid === 3001 ? accountChangeOf(e) : {}),
    enrichments: e.resolution ? [originEnrichment(e.actor.arn, e.resolution.origin, e.resolution)] : null,
    unmapped: unmappedOf(e),
  };
  return (compact(ocsf) ?? {}) as JsonObject;
}
