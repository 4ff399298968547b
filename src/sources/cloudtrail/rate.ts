// Keeping under LookupEvents' limit (2 requests/s per account and region): a token bucket every attempt
// passes through, and retries with exponential backoff when the service still answers ThrottlingException.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiter {
  /** Resolves when one request may be sent; callers are served in order. */
  take(): Promise<void>;
}

/**
 * `perSecond` tokens a second, at most `burst` saved up. Callers queue on one promise chain, so concurrent
 * window reads share the rate instead of each spending it. The bucket starts empty: a run that follows
 * another at once (or a watch cycle) does not add a burst to the requests the service has just counted.
 */
export function tokenBucket(perSecond: number, burst: number, clock: Clock = realClock): RateLimiter {
  let tokens = 0;
  let updated = clock.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = (): void => {
    const t = clock.now();
    tokens = Math.min(burst, tokens + ((t - updated) * perSecond) / 1000);
    updated = t;
  };
  return {
    take() {
      const turn = queue.then(async () => {
        refill();
        if (tokens < 1) {
          await clock.sleep(Math.ceil(((1 - tokens) * 1000) / perSecond));
          refill();
        }
        tokens -= 1;
      });
      queue = turn;
      return turn;
    },
  };
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 8, baseDelayMs: 1000, maxDelayMs: 20_000 };

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'ThrottlingException' || e?.$metadata?.httpStatusCode === 429;
}

/** Runs `send` after taking a token; on throttling waits (doubling, with jitter) and tries again. */
export async function sendLimited<T>(
  send: () => Promise<T>,
  limiter: RateLimiter,
  retry: RetryOptions = DEFAULT_RETRY,
  clock: Clock = realClock,
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await limiter.take();
    try {
      return await send();
    } catch (error) {
      if (!isThrottling(error) || attempt >= retry.attempts) throw error;
      const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      // Half fixed, half random: clients throttled together do not come back together.
      await clock.sleep(delay / 2 + (random() * delay) / 2);
    }
  }
}
