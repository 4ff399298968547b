// A stand-in for CloudTrail's LookupEvents and ListPublicKeys APIs on 127.0.0.1, speaking its JSON protocol
// (signed POST, X-Amz-Target, application/x-amz-json-1.1, timestamps as epoch seconds, blobs as base64):
// newest events first, 50 a page at most, NextToken paging bound to the request's parameters, keys of the
// region the request is signed for, and ThrottlingException above a sliding-window rate limit.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../../src/domain/json.js';

// The long form is the API reference's (and botocore's); the JavaScript SDK sends the short one. AWS takes both.
const OPERATIONS = ['LookupEvents', 'ListPublicKeys'] as const;
type Operation = (typeof OPERATIONS)[number];
const TARGETS = new Map<string, Operation>(
  OPERATIONS.flatMap((op) => [
    [`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${op}`, op] as const,
    [`CloudTrail_20131101.${op}`, op] as const,
  ]),
);
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** One event of the history: a record, or a raw `CloudTrailEvent` string (to serve a malformed one). */
export interface HistoryEvent {
  eventId: string;
  eventName: string;
  isInsight: boolean;
  /** Epoch milliseconds. */
  time: number;
  cloudTrailEvent: string;
}

export interface LookupRequest {
  /** performance.now() at arrival. */
  at: number;
  startTime: number | null;
  endTime: number | null;
  maxResults: number | null;
  nextToken: string | null;
  /** `insight`, or null for management events. */
  eventCategory: string | null;
  isThrottled: boolean;
}

/** A digest-signing key the stand-in lists for one region. */
export interface StandInKey {
  region: string;
  /** DER (PKCS#1) bytes. */
  der: Buffer;
  /** Epoch milliseconds. */
  validFrom: number;
  validTo: number;
  fingerprint: string;
}

export interface KeysRequest {
  at: number;
  /** The region of the request's SigV4 credential scope (the region the client was made for). */
  region: string | null;
  startTime: number | null;
  endTime: number | null;
  nextToken: string | null;
  isThrottled: boolean;
}

export interface CloudTrailServer {
  endpointUrl: string;
  /** Every LookupEvents request, throttled ones included. */
  requests: LookupRequest[];
  /** Events served; change it between runs to make new history appear. */
  events: HistoryEvent[];
  /** Every ListPublicKeys request, throttled ones included. */
  keyRequests: KeysRequest[];
  /** Keys served by ListPublicKeys: those of the request's region whose validity overlaps its time range. */
  publicKeys: StandInKey[];
  /** Keys per ListPublicKeys page. */
  keysPageSize: number;
  /** When set, ListPublicKeys answers this error instead (e.g. AccessDeniedException, 400). */
  keysError: { status: number; type: string; message: string } | null;
  /** Accepted requests per second (sliding one-second window); more are answered ThrottlingException. */
  limitPerSecond: number;
  close(): Promise<void>;
}

export function historyEvent(record: JsonObject): HistoryEvent {
  return {
    eventId: record.eventID as string,
    eventName: record.eventName as string,
    isInsight: record.eventCategory === 'Insight',
    time: Date.parse(record.eventTime as string),
    cloudTrailEvent: JSON.stringify(record),
  };
}

/** The most requests that fell in any window of `windowMs` — what a rate limit is about. */
export function busiestWindow(requests: readonly LookupRequest[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < requests.length; i++) {
    while ((requests[i] as LookupRequest).at - (requests[j] as LookupRequest).at >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: JsonObject): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': `req-${Math.random()}` });
  res.end(JSON.stringify(body));
}

const fail = (res: ServerResponse, status: number, type: string, message: string): void =>
  reply(res, status, { __type: type, message });

/** Epoch seconds (the protocol's timestamp form), as the SDK sends them. */
const seconds = (value: unknown): number | null => (typeof value === 'number' ? value * 1000 : null);

/** Page tokens are bound to the request's parameters (a token is only good for the same ones, as AWS documents). */
const tokenOf = (params: string, offset: number): string =>
  Buffer.from(`${params}#${offset}`).toString('base64url');

/** The offset a token carries: 0 without one, null when it was made for other parameters. */
function offsetIn(token: string | null, params: string): number | null {
  if (token === null) return 0;
  const [tokenParams, offset] = Buffer.from(token, 'base64url').toString().split('#');
  return tokenParams === params ? Number(offset) : null;
}

export async function startCloudTrailServer(events: HistoryEvent[] = []): Promise<CloudTrailServer> {
  const accepted: number[] = [];
  const state: Omit<CloudTrailServer, 'endpointUrl' | 'close'> = {
    requests: [],
    events,
    keyRequests: [],
    publicKeys: [],
    keysPageSize: 1,
    keysError: null,
    limitPerSecond: 2,
  };

  /** Counts a request against the rate limit (of all operations together); true when it is over it. */
  const isThrottled = (request: { at: number; isThrottled: boolean }): boolean => {
    while (accepted.length && request.at - (accepted[0] as number) >= 1000) accepted.shift();
    request.isThrottled = accepted.length >= state.limitPerSecond;
    if (!request.isThrottled) accepted.push(request.at);
    return request.isThrottled;
  };

  const listPublicKeys = (req: IncomingMessage, res: ServerResponse, input: JsonObject, at: number): void => {
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/cloudtrail\//.exec(String(req.headers.authorization));
    const request: KeysRequest = {
      at,
      region: scope?.[1] ?? null,
      startTime: seconds(input.StartTime),
      endTime: seconds(input.EndTime),
      nextToken: typeof input.NextToken === 'string' ? input.NextToken : null,
      isThrottled: false,
    };
    state.keyRequests.push(request);
    if (isThrottled(request)) return fail(res, 400, 'ThrottlingException', 'Rate exceeded');
    if (state.keysError)
      return fail(res, state.keysError.status, state.keysError.type, state.keysError.message);
    const start = request.startTime ?? -Infinity;
    const end = request.endTime ?? Infinity;
    if (start > end) return fail(res, 400, 'InvalidTimeRangeException', 'StartTime must be before EndTime');
    const params = `keys/${request.region}/${start}/${end}`;
    const offset = offsetIn(request.nextToken, params);
    if (offset === null)
      return fail(res, 400, 'InvalidTokenException', 'token does not match the request parameters');
    const matching = state.publicKeys.filter(
      (k) => k.region === request.region && k.validFrom <= end && k.validTo >= start,
    );
    const size = state.keysPageSize;
    const next = offset + size < matching.length ? offset + size : null;
    reply(res, 200, {
      PublicKeyList: matching.slice(offset, offset + size).map((k) => ({
        Value: k.der.toString('base64'),
        ValidityStartTime: k.validFrom / 1000,
        ValidityEndTime: k.validTo / 1000,
        Fingerprint: k.fingerprint,
      })),
      ...(next === null ? {} : { NextToken: tokenOf(params, next) }),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = performance.now();
    const body = await readBody(req);
    const operation = TARGETS.get(String(req.headers['x-amz-target']));
    if (req.method !== 'POST' || operation === undefined)
      return fail(
        res,
        400,
        'UnknownOperationException',
        `expected POST with X-Amz-Target one of ${[...TARGETS.keys()].join(', ')}`,
      );
    if (!String(req.headers['content-type']).startsWith(CONTENT_TYPE))
      return fail(res, 400, 'SerializationException', `expected Content-Type ${CONTENT_TYPE}`);
    if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 '))
      return fail(res, 400, 'MissingAuthenticationTokenException', 'request is not signed');
    const input = JSON.parse(body || '{}') as JsonObject;
    if (operation === 'ListPublicKeys') return listPublicKeys(req, res, input, at);
    const request: LookupRequest = {
      at,
      startTime: seconds(input.StartTime),
      endTime: seconds(input.EndTime),
      maxResults: typeof input.MaxResults === 'number' ? input.MaxResults : null,
      nextToken: typeof input.NextToken === 'string' ? input.NextToken : null,
      eventCategory: typeof input.EventCategory === 'string' ? input.EventCategory : null,
      isThrottled: false,
    };
    state.requests.push(request);
    if (isThrottled(request)) return fail(res, 400, 'ThrottlingException', 'Rate exceeded');
    const max = request.maxResults ?? 50;
    if (max < 1 || max > 50)
      return fail(res, 400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50');
    const start = request.startTime ?? -Infinity;
    const end = request.endTime ?? Infinity;
    if (start > end) return fail(res, 400, 'InvalidTimeRangeException', 'StartTime must be before EndTime');
    if (request.eventCategory !== null && request.eventCategory !== 'insight')
      return fail(res, 400, 'ValidationException', `EventCategory must be insight`);
    const isInsight = request.eventCategory === 'insight';
    const params = `${start}/${end}/${max}/${request.eventCategory ?? ''}`;
    const offset = offsetIn(request.nextToken, params);
    if (offset === null)
      return fail(res, 400, 'InvalidNextTokenException', 'token does not match the request parameters');
    // Without EventCategory the history returns management events; with it, Insights events only.
    const matching = state.events
      .filter((e) => e.time >= start && e.time <= end && e.isInsight === isInsight)
      .sort((a, b) => b.time - a.time || a.eventId.localeCompare(b.eventId));
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? offset + max : null;
    reply(res, 200, {
      Events: page.map((e) => ({
        EventId: e.eventId,
        EventName: e.eventName,
        ReadOnly: 'false',
        EventTime: e.time / 1000,
        EventSource: 'cloudtrail-test',
        Resources: [],
        CloudTrailEvent: e.cloudTrailEvent,
      })),
      ...(next === null ? {} : { NextToken: tokenOf(params, next) }),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, 500, 'InternalFailure', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpointUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  });
}
