// Recognising CloudTrail records and the envelopes that carry them (EventBridge, wrappers, CloudWatch Logs).
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';

const RECORD_KEYS = ['eventVersion', 'eventName', 'eventSource', 'eventTime', 'eventID', 'userIdentity'];
const LOWER_KEYS = RECORD_KEYS.map((k) => k.toLowerCase());

/** A CloudTrail record has at least two of its characteristic top-level fields (in any letter case). */
export function isCloudTrailRecord(value: Json): value is JsonObject {
  if (!isJsonObject(value)) return false;
  let hits = 0;
  for (const k of RECORD_KEYS) if (k in value) hits++;
  if (hits < 2) for (const k of LOWER_KEYS) if (k in value) hits++;
  return hits >= 2;
}

export function isEventBridgeEnvelope(value: JsonObject): boolean {
  return typeof value['detail-type'] === 'string' && isJsonObject(value.detail);
}

/** CloudWatch Logs subscription payload, after base64 and gzip decoding. */
export function isCloudWatchLogsPayload(value: JsonObject): boolean {
  return typeof value.messageType === 'string' && Array.isArray(value.logEvents);
}

/**
 * A `LookupEvents` response page (the API's, or `aws cloudtrail lookup-events` output): `Events[]` whose
 * `CloudTrailEvent` is the record as a JSON string.
 */
export function isLookupEventsPage(value: JsonObject): boolean {
  return (
    Array.isArray(value.Events) &&
    value.Events.some((e) => isJsonObject(e) && typeof e.CloudTrailEvent === 'string')
  );
}

export function isDigest(value: JsonObject): boolean {
  return 'digestStartTime' in value && 'logFiles' in value;
}

/**
 * Wrappers that put one record under `event` (Splunk HEC, test-case files, many exports) or the
 * EventBridge `detail`. Returns the inner record, or null when `value` is not such a wrapper.
 */
export function unwrapRecord(value: JsonObject): JsonObject | null {
  if (isEventBridgeEnvelope(value) && isCloudTrailRecord(value.detail ?? null))
    return value.detail as JsonObject;
  const inner = value.event;
  if (inner !== undefined && !isCloudTrailRecord(value) && isCloudTrailRecord(inner)) return inner;
  return null;
}
