// The event history's pacing: the token bucket, the backoff on throttling, and the windows a range becomes.
import { describe, expect, it } from 'vitest';
import { sendLimited, tokenBucket } from '../../src/sources/cloudtrail/rate.js';
import { windowsOf } from '../../src/sources/cloudtrail/source.js';
import { fakeClock } from '../helpers/fake-clock.js';

describe('tokenBucket', () => {
  it('spaces requests, concurrent ones included, at the rate', async () => {
    const clock = fakeClock();
    const bucket = tokenBucket(2, 1, clock);
    const times: number[] = [];
    await Promise.all([1, 2, 3, 4].map(() => bucket.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([500, 1000, 1500, 2000]);
  });
});

describe('sendLimited', () => {
  const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  const retry = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000 };

  it('retries throttled requests with doubling delays, then gives up', async () => {
    const clock = fakeClock();
    let calls = 0;
    const answer = await sendLimited(
      () => (++calls < 3 ? Promise.reject(throttled) : Promise.resolve('ok')),
      tokenBucket(1000, 1, clock),
      retry,
      clock,
      () => 1,
    );
    expect(answer).toBe('ok');
    expect(clock.sleeps.filter((ms) => ms >= 1000)).toEqual([1000, 2000]);
    await expect(
      sendLimited(() => Promise.reject(throttled), tokenBucket(1000, 1, clock), retry, clock),
    ).rejects.toThrow('Rate exceeded');
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    await expect(
      sendLimited(
        () => (calls++, Promise.reject(denied)),
        tokenBucket(1000, 1, fakeClock()),
        retry,
        fakeClock(),
      ),
    ).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});

describe('windowsOf', () => {
  it('cuts a range into aligned windows, the start taken back to its window', () => {
    const h = 3_600_000;
    expect(windowsOf(1.5 * h, 3.25 * h, h)).toEqual([
      [h, 2 * h],
      [2 * h, 3 * h],
      [3 * h, 3.25 * h],
    ]);
    expect(windowsOf(2 * h, 2 * h, h)).toEqual([]);
  });
});
