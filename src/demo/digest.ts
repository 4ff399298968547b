// Hourly digest files for the management account's home region: two consecutive hours, the first a
// starting digest (validation was switched on then), with real SHA-256 hashes of the files as written.
import type { JsonObject } from '../domain/json.js';
import { datePath, digestStamp, HOUR, isoSeconds } from './format.js';
import { GLOBAL_REGION, MANAGEMENT, ORG_ID, TRAIL_BUCKET, TRAIL_HOME_REGION, TRAIL_NAME } from './org.js';
import type { Rng } from './random.js';
import type { DeliveredFile } from './deliver.js';
import { eventTimeOf } from './deliver.js';
import { serializeDigest, serializeLogFile, sha256Hex } from './serialize.js';
import type { DemoDigestFile } from './types.js';

function digestKey(account: string, region: string, endTime: number): string {
  const name = `${account}_CloudTrail-Digest_${region}_${TRAIL_NAME}_${TRAIL_HOME_REGION}_${digestStamp(endTime)}.json.gz`;
  return `AWSLogs/${ORG_ID}/${account}/CloudTrail-Digest/${region}/${datePath(endTime)}/${name}`;
}

function eventSpan(records: readonly JsonObject[]): { oldest: number; newest: number } {
  const times = records.map(eventTimeOf);
  return { oldest: Math.min(...times), newest: Math.max(...times) };
}

function logFileEntry(file: DeliveredFile): JsonObject {
  const { oldest, newest } = eventSpan(file.records);
  return {
    s3Bucket: TRAIL_BUCKET,
    s3Object: file.key,
    hashValue: sha256Hex(serializeLogFile(file.records)),
    hashAlgorithm: 'SHA-256',
    newestEventTime: isoSeconds(newest),
    oldestEventTime: isoSeconds(oldest),
  };
}

interface Previous {
  key: string;
  digest: JsonObject;
  signature: string;
}

function buildDigest(
  start: number,
  end: number,
  files: readonly DeliveredFile[],
  fingerprint: string,
  previous?: Previous,
): DemoDigestFile {
  const key = digestKey(MANAGEMENT, GLOBAL_REGION, end);
  const listed = files.filter((f) => f.deliveredAt >= start && f.deliveredAt < end);
  const span = listed.length > 0 ? eventSpan(listed.flatMap((f) => f.records)) : null;
  const digest: JsonObject = {
    awsAccountId: MANAGEMENT,
    digestStartTime: isoSeconds(start),
    digestEndTime: isoSeconds(end),
    digestS3Bucket: TRAIL_BUCKET,
    digestS3Object: key,
    digestPublicKeyFingerprint: fingerprint,
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: span ? isoSeconds(span.newest) : null,
    oldestEventTime: span ? isoSeconds(span.oldest) : null,
    previousDigestS3Bucket: previous ? TRAIL_BUCKET : null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous ? sha256Hex(serializeDigest(previous.digest)) : null,
    previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
    previousDigestSignature: previous?.signature ?? null,
    logFiles: listed.map(logFileEntry),
  };
  return { key, digest };
}

/**
 * The two most recent complete digest hours before `end`. Signatures live in S3 object metadata, not in
 * the file, so the previous digest's signature here is a placeholder.
 */
export function buildDigests(rng: Rng, files: readonly DeliveredFile[], end: number): DemoDigestFile[] {
  const home = files.filter((f) => f.account === MANAGEMENT && f.region === GLOBAL_REGION);
  const offset = rng.int(60, 600) * 1000;
  const lastEnd = Math.floor((end - offset) / HOUR) * HOUR + offset;
  const fingerprint = rng.hex(32);
  const first = buildDigest(lastEnd - 2 * HOUR, lastEnd - HOUR, home, fingerprint);
  const second = buildDigest(lastEnd - HOUR, lastEnd, home, fingerprint, {
    ...first,
    signature: rng.hex(512),
  });
  return [first, second];
}
