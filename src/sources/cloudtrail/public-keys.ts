// A region's digest-signing public keys through ListPublicKeys, paged, paced and retried like LookupEvents.
import { ListPublicKeysCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { toSourceError, type ErrorContext } from './errors.js';
import {
  DEFAULT_RETRY,
  realClock,
  sendLimited,
  tokenBucket,
  type Clock,
  type RateLimiter,
  type RetryOptions,
} from './rate.js';

/** One key as the API returns it: DER (PKCS#1) bytes, its validity window (epoch ms) and fingerprint. */
export interface RegionPublicKey {
  region: string;
  der: Uint8Array;
  /** Null when the API leaves a bound out. */
  validFrom: number | null;
  validTo: number | null;
  fingerprint: string | null;
}

export interface ListPublicKeysOptions {
  client: CloudTrailClient;
  region: string;
  /** The period the keys signed digests in, epoch milliseconds. */
  start: number;
  end: number;
  limiter?: RateLimiter;
  retry?: RetryOptions;
  clock?: Clock;
  /** How errors name the endpoint option and what else the user can do (see ErrorContext). */
  errors?: Omit<ErrorContext, 'permission'>;
}

/**
 * AWS documents no rate for ListPublicKeys that we rely on; a verify run makes a few calls per region, so one
 * a second costs nothing and stays under any quota the API could have.
 */
export function publicKeysLimiter(clock: Clock = realClock): RateLimiter {
  return tokenBucket(1, 1, clock);
}

const iso = (ms: number): string => new Date(ms).toISOString();

export async function listPublicKeys(options: ListPublicKeysOptions): Promise<RegionPublicKey[]> {
  const { client, region, start, end } = options;
  const clock = options.clock ?? realClock;
  const limiter = options.limiter ?? publicKeysLimiter(clock);
  const keys: RegionPublicKey[] = [];
  let token: string | undefined;
  do {
    const command = new ListPublicKeysCommand({
      StartTime: new Date(start),
      EndTime: new Date(end),
      ...(token === undefined ? {} : { NextToken: token }),
    });
    let page;
    try {
      page = await sendLimited(() => client.send(command), limiter, options.retry ?? DEFAULT_RETRY, clock);
    } catch (error) {
      throw toSourceError(error, `list the public keys of ${region} from ${iso(start)} to ${iso(end)}`, {
        ...options.errors,
        permission: 'cloudtrail:ListPublicKeys',
      });
    }
    for (const k of page.PublicKeyList ?? [])
      if (k.Value?.length)
        keys.push({
          region,
          der: k.Value,
          validFrom: k.ValidityStartTime?.getTime() ?? null,
          validTo: k.ValidityEndTime?.getTime() ?? null,
          fingerprint: k.Fingerprint ?? null,
        });
    token = page.NextToken || undefined;
  } while (token !== undefined);
  return keys;
}
