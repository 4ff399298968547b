// Records exported through Athena, Glue or Security Lake often carry lowercased keys; map them back.
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';
import { RECORD_FIELDS } from './field-catalogue.js';

const IDENTITY = [
  'type',
  'principalId',
  'arn',
  'accountId',
  'accessKeyId',
  'userName',
  'invokedBy',
  'identityProvider',
  'sessionContext',
  'onBehalfOf',
  'credentialId',
  'sourceIdentity',
];
const SESSION = ['sessionIssuer', 'attributes', 'sourceIdentity', 'webIdFederationData', 'ec2RoleDelivery'];
const ISSUER = ['type', 'principalId', 'arn', 'accountId', 'userName'];
const ATTRIBUTES = ['creationDate', 'mfaAuthenticated'];

function byLower(names: readonly string[]): Map<string, string> {
  return new Map(names.map((n) => [n.toLowerCase(), n]));
}
const MAPS = {
  top: byLower(RECORD_FIELDS),
  identity: byLower(IDENTITY),
  session: byLower(SESSION),
  issuer: byLower(ISSUER),
  attributes: byLower(ATTRIBUTES),
};

function rename(value: Json | undefined, names: Map<string, string>): JsonObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[names.get(k.toLowerCase()) ?? k] = v;
  return out;
}

/** True when a record spells its keys in lower case (`eventname`), as SQL-based exports do. */
export function hasLowercaseKeys(record: JsonObject): boolean {
  return (
    !('eventName' in record) && !('eventTime' in record) && ('eventname' in record || 'eventtime' in record)
  );
}

/** The record with CloudTrail's own key spelling restored (top level and `userIdentity`). */
export function canonicalKeys(record: JsonObject): JsonObject {
  if (!hasLowercaseKeys(record)) return record;
  const top = rename(record, MAPS.top) as JsonObject;
  const identity = rename(top.userIdentity, MAPS.identity);
  if (identity) {
    const session = rename(identity.sessionContext, MAPS.session);
    if (session) {
      const issuer = rename(session.sessionIssuer, MAPS.issuer);
      const attributes = rename(session.attributes, MAPS.attributes);
      if (issuer) session.sessionIssuer = issuer;
      if (attributes) session.attributes = attributes;
      identity.sessionContext = session;
    }
    top.userIdentity = identity;
  }
  return top;
}
