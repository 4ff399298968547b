// Builds complete CloudTrail records from a call description, in the field order CloudTrail uses.
import type { Json, JsonObject } from '../domain/json.js';
import { isoSeconds } from './format.js';
import type { Caller } from './identities.js';
import type { Rng } from './random.js';

export interface ApiError {
  /** null: the event carries only an errorMessage (a failed console sign-in). */
  code: string | null;
  message: string;
}

/** What a single API call looks like; everything optional has the CloudTrail default. */
export interface Call {
  time: number;
  caller: Caller;
  /** The recipient account (whose trail folder the record lands in). */
  account: string;
  region: string;
  source: string;
  name: string;
  readOnly: boolean;
  request?: Json;
  response?: Json;
  additional?: JsonObject;
  error?: ApiError;
  resources?: JsonObject[];
  category?: 'Management' | 'Data';
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  sharedEventId?: string;
  /** null: the event has no requestID (console sign-in). */
  requestId?: string | null;
  /** The TLS host header; derived from the service and region when absent. */
  host?: string;
}

/** Who and when and where; an `Api` says what. */
export interface CallBase {
  time: number;
  caller: Caller;
  account: string;
  region: string;
}

/** The service-specific part of a call; `region` overrides the base for global services. */
export type Api = Omit<Call, keyof CallBase> & { region?: string };

/** Where records go: events outside [start, end] are dropped, which keeps sessions that run past `end` honest. */
export interface Sink {
  rng: Rng;
  start: number;
  end: number;
  records: JsonObject[];
}

export const forkSink = (sink: Sink, label: string): Sink => ({ ...sink, rng: sink.rng.fork(label) });

const EVENT_VERSIONS: Record<string, string> = {
  's3.amazonaws.com': '1.10',
  'signin.amazonaws.com': '1.09',
  'ec2.amazonaws.com': '1.09',
  'kms.amazonaws.com': '1.09',
  'lambda.amazonaws.com': '1.11',
  'ssm.amazonaws.com': '1.11',
  'secretsmanager.amazonaws.com': '1.11',
  'cloudtrail.amazonaws.com': '1.11',
  'guardduty.amazonaws.com': '1.11',
};

function defaultHost(source: string, region: string): string {
  const service = source.replace('.amazonaws.com', '');
  if (service === 'iam' || service === 'organizations') return `${service}.amazonaws.com`;
  if (service === 'signin') return `${region}.signin.aws.amazon.com`;
  return `${service}.${region}.amazonaws.com`;
}

const isServiceAddress = (ip: string): boolean => ip.endsWith('.amazonaws.com');

export function buildRecord(rng: Rng, call: Call): JsonObject {
  const { caller } = call;
  const userAgent =
    typeof caller.userAgent === 'string' ? caller.userAgent : caller.userAgent(call.source, call.name);
  const requestId = call.requestId === undefined ? rng.uuid() : call.requestId;
  const category = call.category ?? 'Management';
  const record: JsonObject = {
    eventVersion: EVENT_VERSIONS[call.source] ?? '1.08',
    userIdentity: caller.identity,
    eventTime: isoSeconds(call.time),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: caller.sourceIp,
    userAgent,
  };
  if (call.error) {
    if (call.error.code !== null) record['errorCode'] = call.error.code;
    record['errorMessage'] = call.error.message;
  }
  record['requestParameters'] = call.request ?? null;
  record['responseElements'] = call.response ?? null;
  if (call.additional) record['additionalEventData'] = call.additional;
  if (requestId !== null) record['requestID'] = requestId;
  record['eventID'] = rng.uuid();
  record['readOnly'] = call.readOnly;
  if (call.resources) record['resources'] = call.resources;
  record['eventType'] = call.eventType ?? 'AwsApiCall';
  record['managementEvent'] = category === 'Management';
  record['recipientAccountId'] = call.account;
  if (call.sharedEventId) record['sharedEventID'] = call.sharedEventId;
  record['eventCategory'] = category;
  if (!isServiceAddress(caller.sourceIp)) {
    record['tlsDetails'] = {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: call.host ?? defaultHost(call.source, call.region),
    };
  }
  if (caller.isConsole) record['sessionCredentialFromConsole'] = 'true';
  return record;
}

/** Builds the record and keeps it when it falls inside the sink's window. */
export function emit(sink: Sink, call: Call): JsonObject {
  const record = buildRecord(sink.rng, call);
  if (call.time >= sink.start && call.time <= sink.end) sink.records.push(record);
  return record;
}

export const emitApi = (sink: Sink, base: CallBase, api: Api): JsonObject => emit(sink, { ...base, ...api });

/** Turns a call into its failed form: CloudTrail logs the error and no response. */
export const failed = (api: Api, code: string, message: string): Api => ({
  ...api,
  error: { code, message },
  response: null,
});

/** The IAM authorization failure text AWS writes into `errorMessage`. */
export function notAuthorized(arn: string, action: string, resource?: string, reason?: string): string {
  const on = resource === undefined ? '' : ` on resource: ${resource}`;
  const why = reason ?? `because no identity-based policy allows the ${action} action`;
  return `User: ${arn} is not authorized to perform: ${action}${on} ${why}`;
}

export function eventIdOf(record: JsonObject): string {
  const id = record['eventID'];
  if (typeof id !== 'string') throw new Error('record without eventID');
  return id;
}
