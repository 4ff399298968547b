// ListPublicKeys against the stand-in CloudTrail on 127.0.0.1: every page read, keys as DER with their
// validity, and throttling retried through the token bucket until it gives up with a SourceError.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCloudTrailClient } from '../../src/sources/cloudtrail/client.js';
import { listPublicKeys } from '../../src/sources/cloudtrail/public-keys.js';
import { tokenBucket } from '../../src/sources/cloudtrail/rate.js';
import { SourceError } from '../../src/sources/port.js';
import { startCloudTrailServer, type CloudTrailServer } from '../helpers/cloudtrail-server.js';
import { fakeClock } from '../helpers/fake-clock.js';
import { TEST_CREDENTIALS } from '../helpers/s3-server.js';
import { apiKey } from '../helpers/signed-trail.js';

const DAY = 86_400_000;
const from = Date.parse('2024-05-01T00:00:00Z');
let server: CloudTrailServer;
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterEach(async () => server?.close());

const list = (region: string, retry = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 }) => {
  const clock = fakeClock();
  const client = createCloudTrailClient({ region, endpointUrl: server.endpointUrl });
  const done = listPublicKeys({
    client,
    region,
    start: from,
    end: from + DAY,
    limiter: tokenBucket(1000, 1, clock),
    retry,
    clock,
  }).finally(() => client.destroy());
  return { done, clock };
};

describe('listPublicKeys', () => {
  it('reads every page and returns each key as DER with its validity window', async () => {
    server = await startCloudTrailServer();
    const keys = [1, 2, 3].map(() => generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey);
    server.publicKeys = keys.map((k, i) => apiKey(k, 'eu-west-1', from + i * DAY, from + (i + 1) * DAY));
    server.keysPageSize = 1;
    const listed = await list('eu-west-1').done;
    // The third key starts after the range ends: not listed.
    expect(listed).toEqual(
      keys.slice(0, 2).map((k, i) => ({
        region: 'eu-west-1',
        der: new Uint8Array(k.export({ type: 'pkcs1', format: 'der' })),
        validFrom: from + i * DAY,
        validTo: from + (i + 1) * DAY,
        fingerprint: apiKey(k).fingerprint,
      })),
    );
    expect(server.keyRequests.map((q) => [q.region, q.startTime, q.endTime, q.nextToken === null])).toEqual([
      ['eu-west-1', from, from + DAY, true],
      ['eu-west-1', from, from + DAY, false],
    ]);
  });

  it('retries a throttled request with backoff, then fails with a SourceError naming the region', async () => {
    server = await startCloudTrailServer();
    server.limitPerSecond = 0;
    const { done, clock } = list('us-east-1');
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/list the public keys of us-east-1 .*ThrottlingException/);
    expect(server.keyRequests.map((q) => q.isThrottled)).toEqual([true, true, true]);
    expect(clock.sleeps.filter((ms) => ms >= 500)).toHaveLength(2);
  });
});
