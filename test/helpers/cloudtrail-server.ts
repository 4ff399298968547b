// A stand-in for CloudTrail's LookupEvents API on 127.0.0.1, speaking its JSON protocol (signed POST,
// X-Amz-Target, application/x-amz-json-1.1, timestamps as epoch seconds): newest events first, 50 a page at most, NextToken paging bound
// to the request's parameters, and ThrottlingException above a sliding-window rate limit.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../../src/domain/json.js';

// The long form is the API reference's (and botocore's); the JavaScript SDK sends the short one. AWS takes both.
const TARGETS = new Set([
  'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents',
  'CloudTrail_20131101.LookupEvents',
]);
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

export interface CloudTrailServer {
  endpointUrl: string;
  /** Every LookupEvents request, throttled ones included. */
  requests: LookupRequest[];
  /** Events served; change it between runs to make new history appear. */
  events: HistoryEvent[];
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

export async function startCloudTrailServer(events: HistoryEvent[] = []): Promise<CloudTrailServer> {
  const accepted: number[] = [];
  const state: Omit<CloudTrailServer, 'endpointUrl' | 'close'> = {
    requests: [],
    events,
    limitPerSecond: 2,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = performance.now();
    const body = await readBody(req);
    if (req.method !== 'POST' || !TARGETS.has(String(req.headers['x-amz-target'])))
      return fail(
        res,
        400,
        'UnknownOperationException',
        `expected POST with X-Amz-Target ${[...TARGETS][0]}`,
      );
    if (!String(req.headers['content-type']).startsWith(CONTENT_TYPE))
      return fail(res, 400, 'SerializationException', `expected Content-Type ${CONTENT_TYPE}`);
    if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 '))
      return fail(res, 400, 'MissingAuthenticationTokenException', 'request is not signed');
    const input = JSON.parse(body || '{}') as JsonObject;
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
    while (accepted.length && at - (accepted[0] as number) >= 1000) accepted.shift();
    if (accepted.length >= state.limitPerSecond) {
      request.isThrottled = true;
      return fail(res, 400, 'ThrottlingException', 'Rate exceeded');
    }
    accepted.push(at);
    const max = request.maxResults ?? 50;
    if (max < 1 || max > 50)
      return fail(res, 400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50');
    const start = request.startTime ?? -Infinity;
    const end = request.endTime ?? Infinity;
    if (start > end) return fail(res, 400, 'InvalidTimeRangeException', 'StartTime must be before EndTime');
    // A token is only good for the same parameters, as AWS documents.
    if (request.eventCategory !== null && request.eventCategory !== 'insight')
      return fail(res, 400, 'ValidationException', `EventCategory must be insight`);
    const isInsight = request.eventCategory === 'insight';
    const params = `${start}/${end}/${max}/${request.eventCategory ?? ''}`;
    let offset = 0;
    if (request.nextToken !== null) {
      const [tokenParams, tokenOffset] = Buffer.from(request.nextToken, 'base64url').toString().split('#');
      if (tokenParams !== params)
        return fail(res, 400, 'InvalidNextTokenException', 'token does not match the request parameters');
      offset = Number(tokenOffset);
    }
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
      ...(next === null ? {} : { NextToken: Buffer.from(`${params}#${next}`).toString('base64url') }),
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
