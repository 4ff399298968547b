// A small trail signed by the test: three log files, two hourly digests chained and RSA-signed with a key
// made here, each digest's signature (hex of x-amz-meta-signature) in a '<digest>.signature' file beside it.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { keyFingerprint, parseDigest, sha256Hex, signingString } from '../../src/integrity/digest.js';

export const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** A second region key, for digests signed with a key other than the usual one. */
export const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}
export const BUCKET = 'org-trail';
export const base = 'AWSLogs/111122223333';
export const logKey = (n: number) =>
  `${base}/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T0${n}05Z_abc${n}.json.gz`;
export const digestKey = (h: number) =>
  `${base}/CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20240501T0${h}0000Z.json.gz`;
export const logText = (n: number) =>
  JSON.stringify({
    Records: [{ eventID: `e${n}`, eventTime: '2024-05-01T00:00:00Z', eventName: 'ListBuckets' }],
  });

/** Writes a trail: logs 1–2 in hour 1's digest, log 3 in hour 2's, chained and signed (by default all with one key). */
export function buildTrail(
  dir: string,
  signer: (hour: number) => KeyPair = () => ({ publicKey, privateKey }),
): void {
  for (const n of [1, 2, 3]) {
    mkdirSync(path.dirname(path.join(dir, logKey(n))), { recursive: true });
    writeFileSync(path.join(dir, logKey(n)), gzipSync(logText(n)));
  }
  let previous = null as { key: string; sha: string; signature: string } | null;
  for (const [hour, logs] of [
    [1, [1, 2]],
    [2, [3]],
  ] as const) {
    const digest = {
      awsAccountId: '111122223333',
      digestStartTime: `2024-05-01T0${hour - 1}:00:00Z`,
      digestEndTime: `2024-05-01T0${hour}:00:00Z`,
      digestS3Bucket: BUCKET,
      digestS3Object: digestKey(hour),
      digestPublicKeyFingerprint: keyFingerprint(signer(hour).publicKey),
      digestSignatureAlgorithm: 'SHA256withRSA',
      previousDigestS3Bucket: previous ? BUCKET : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.sha ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: logs.map((n) => ({
        s3Bucket: BUCKET,
        s3Object: logKey(n),
        hashValue: sha256Hex(logText(n)),
        hashAlgorithm: 'SHA-256',
      })),
    };
    const text: string = JSON.stringify(digest);
    const parsed = parseDigest(text, digestKey(hour), null);
    if (!parsed) throw new Error('digest');
    const signature = sign('sha256', Buffer.from(signingString(parsed)), signer(hour).privateKey).toString(
      'hex',
    );
    const file = path.join(dir, digestKey(hour));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, gzipSync(text));
    writeFileSync(`${file}.signature`, signature);
    previous = { key: digestKey(hour), sha: sha256Hex(text), signature };
  }
}

/** The trail's digests cover 2024-05-01 00:00 to 02:00 (UTC). */
export const TRAIL_START = Date.parse('2024-05-01T00:00:00Z');
export const TRAIL_END = Date.parse('2024-05-01T02:00:00Z');

/** A key as the stand-in CloudTrail lists it (DER PKCS#1 and its fingerprint), valid over the whole day by default. */
export function apiKey(
  key: KeyObject,
  region = 'us-east-1',
  validFrom = Date.parse('2024-04-30T00:00:00Z'),
  validTo = Date.parse('2024-05-02T00:00:00Z'),
) {
  return {
    region,
    der: key.export({ type: 'pkcs1', format: 'der' }),
    validFrom,
    validTo,
    fingerprint: keyFingerprint(key),
  };
}
