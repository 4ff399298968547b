// Which regions' keys verify asks CloudTrail for, and over which period: planned from the digests alone.
import { describe, expect, it } from 'vitest';
import { keyFingerprint, parseDigest, type Digest } from '../../src/integrity/digest.js';
import { digestRegion, fileKey, planKeyRequests } from '../../src/integrity/keys.js';
import { other, publicKey } from '../helpers/signed-trail.js';

const digestIn = (region: string, hour: number, fingerprint: string): Digest => {
  const key = `p/AWSLogs/111122223333/CloudTrail-Digest/${region}/2024/05/01/d_${region}_${hour}.json.gz`;
  const text = JSON.stringify({
    digestStartTime: `2024-05-01T0${hour - 1}:00:00Z`,
    digestEndTime: `2024-05-01T0${hour}:00:00Z`,
    digestPublicKeyFingerprint: fingerprint,
    logFiles: [],
  });
  return parseDigest(text, key, 'aa') as Digest;
};

describe('planKeyRequests', () => {
  const usual = keyFingerprint(publicKey);
  const second = keyFingerprint(other.publicKey);

  it('asks each region with digests once, over the span of all its digests, regions in order', () => {
    const digests = [
      digestIn('us-east-1', 3, usual),
      digestIn('eu-west-1', 2, second),
      digestIn('us-east-1', 1, usual),
    ];
    expect(planKeyRequests(digests, [])).toEqual([
      {
        region: 'eu-west-1',
        start: Date.parse('2024-05-01T01:00:00Z'),
        end: Date.parse('2024-05-01T02:00:00Z'),
      },
      {
        region: 'us-east-1',
        start: Date.parse('2024-05-01T00:00:00Z'),
        end: Date.parse('2024-05-01T03:00:00Z'),
      },
    ]);
  });

  it('skips the regions whose every fingerprint a key file has', () => {
    const digests = [
      digestIn('us-east-1', 1, usual),
      digestIn('eu-west-1', 1, second),
      digestIn('eu-west-1', 2, usual),
    ];
    expect(planKeyRequests(digests, [fileKey(publicKey, 'usual.pem')]).map((r) => r.region)).toEqual([
      'eu-west-1',
    ]);
  });

  it('reads the region after CloudTrail-Digest/ in a key or a Windows path', () => {
    expect(digestRegion('x/AWSLogs/1/CloudTrail-Digest/ap-southeast-2/2024/05/01/f.json.gz')).toBe(
      'ap-southeast-2',
    );
    expect(digestRegion('C:\\t\\AWSLogs\\1\\CloudTrail-Digest\\us-west-2\\2024\\f.json.gz')).toBe(
      'us-west-2',
    );
    expect(digestRegion('AWSLogs/1/CloudTrail/us-west-2/2024/f.json.gz')).toBeNull();
  });
});
