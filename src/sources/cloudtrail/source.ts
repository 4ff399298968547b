// The event history source: the account's CloudTrail history in one region through LookupEvents, one
// source object per time window, so a window read once is checkpointed and a re-run reads only new windows.
import { LookupEventsCommand, type CloudTrailClient, type Event } from '@aws-sdk/client-cloudtrail';
import type { Source, SourceObject } from '../port.js';
import { toSourceError } from './errors.js';
import {
  DEFAULT_RETRY,
  realClock,
  sendLimited,
  tokenBucket,
  type Clock,
  type RateLimiter,
  type RetryOptions,
} from './rate.js';

export interface CloudTrailSourceOptions {
  client: CloudTrailClient;
  region: string;
  /** The time range, epoch milliseconds; the history holds the last 90 days. */
  since: number;
  until: number;
  /** Window length: one source object (and one checkpoint) per window. */
  windowMs: number;
  /** The Insights events of the history instead of its management events. */
  isInsights?: boolean;
  now: () => number;
  /** Paces the requests; sources of one account and region must share one. Default: a bucket of its own. */
  limiter?: RateLimiter;
  retry?: RetryOptions;
  clock?: Clock;
}

/** Slightly under the documented 2/s, so timer jitter never pushes a burst over it. */
export const DEFAULT_RATE = 1.9;
/** Event history shows an event within minutes; a window ending earlier than this is taken as final. */
export const SETTLE_MS = 15 * 60_000;
const PAGE_SIZE = 50;

/** A token bucket at the history's pace, one request at a time. */
export function historyLimiter(clock: Clock = realClock): RateLimiter {
  return tokenBucket(DEFAULT_RATE, 1, clock);
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * Windows aligned on multiples of `windowMs` (UTC), oldest first; `since` is taken back to the start of its
 * window, so a relative start (`7d`, a watch's lookback) names the same windows run after run.
 */
export function windowsOf(since: number, until: number, windowMs: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = Math.floor(since / windowMs) * windowMs; start < until;) {
    const end = Math.min(until, (Math.floor(start / windowMs) + 1) * windowMs);
    out.push([start, end]);
    start = end;
  }
  return out;
}

export function createCloudTrailSource(options: CloudTrailSourceOptions): Source {
  const { client, region, since, until, windowMs } = options;
  const clock = options.clock ?? realClock;
  const limiter = options.limiter ?? historyLimiter(clock);
  const lookup = async (start: number, end: number, max: number, token?: string) => {
    const command = new LookupEventsCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      MaxResults: max,
      ...(options.isInsights ? { EventCategory: 'insight' as const } : {}),
      ...(token === undefined ? {} : { NextToken: token }),
    });
    try {
      return await sendLimited(() => client.send(command), limiter, options.retry ?? DEFAULT_RETRY, clock);
    } catch (error) {
      throw toSourceError(error, `look up events in ${region} from ${iso(start)} to ${iso(end)}`);
    }
  };
  const readWindow = async (start: number, end: number): Promise<Buffer> => {
    const events: Event[] = [];
    let token: string | undefined;
    do {
      const page = await lookup(start, end, PAGE_SIZE, token);
      events.push(...(page.Events ?? []));
      token = page.NextToken || undefined;
    } while (token !== undefined);
    // The page shape the API and `aws cloudtrail lookup-events` return, which the decoder reads.
    return Buffer.from(JSON.stringify({ Events: events }));
  };

  return {
    async *list() {
      const windows = windowsOf(since, until, windowMs);
      if (!windows.length) return;
      // One request for the newest event: it names the account (two accounts' histories in one store
      // never share a checkpoint), and tells whether anything arrived since the last run.
      const probe = await lookup((windows[0] as [number, number])[0], until, 1);
      const newest = probe.Events?.[0];
      if (!newest) return;
      const account = accountOf(newest) ?? 'unknown-account';
      const now = options.now();
      for (const [start, end] of windows) {
        const range = `${options.isInsights ? 'insight/' : ''}${iso(start)}/${iso(end)}`;
        // A window still filling is read again when a newer event has appeared (dedup drops what was
        // stored already); once settled it is read in full one last time under its final identity.
        const isFinal = end <= now - SETTLE_MS;
        const object: SourceObject = {
          identity: `cloudtrail://${account}/${region}/${range}${isFinal ? '' : `@${newest.EventId ?? iso(now)}`}`,
          uri: `cloudtrail://${region}?since=${iso(start)}&until=${iso(end)}${options.isInsights ? '&category=insight' : ''}`,
          key: `cloudtrail/${account}/${region}/${range}`,
          size: null,
          read: () => readWindow(start, end),
        };
        yield object;
      }
    },
  };
}

function accountOf(event: Event): string | null {
  try {
    const record = JSON.parse(event.CloudTrailEvent ?? '') as { recipientAccountId?: unknown };
    return typeof record.recipientAccountId === 'string' ? record.recipientAccountId : null;
  } catch {
    return null;
  }
}
