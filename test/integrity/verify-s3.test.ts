// trailwatch verify s3://…: digests, their signature metadata and the log files read straight from a
// real S3-compatible server (fauxqs on 127.0.0.1), with digests and keys the test makes itself.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startCloudTrailServer } from '../helpers/cloudtrail-server.js';
import { startS3Server, TEST_CREDENTIALS, type S3Server } from '../helpers/s3-server.js';
import {
  apiKey,
  buildTrail,
  digestKey,
  logKey,
  logText,
  publicKey,
  TRAIL_END,
  TRAIL_START,
} from '../helpers/signed-trail.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-verify-s3-'));
const trail = path.join(root, 'trail');
const publicPem = path.join(root, 'us-east-1.pem');
let s3: S3Server;
let buckets = 0;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  writeFileSync(publicPem, publicKey.export({ type: 'pkcs1', format: 'pem' }));
  buildTrail(trail);
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3.close();
  rmSync(root, { recursive: true, force: true });
});

const filesOf = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.signature'))
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).replaceAll(path.sep, '/'));

/**
 * Uploads the trail under `security/` of a new bucket, each digest with its signature as CloudTrail
 * stores it: user metadata `signature` and `signature-algorithm`. `change` edits a digest's metadata.
 */
async function upload(
  change: (key: string, meta: Record<string, string>) => Record<string, string> = (_, m) => m,
): Promise<string> {
  const bucket = `trail-${buckets++}`;
  await s3.createBucket(bucket);
  for (const key of filesOf(trail)) {
    const file = path.join(trail, key);
    const isDigest = key.includes('/CloudTrail-Digest/');
    const meta = isDigest
      ? change(key, {
          signature: readFileSync(`${file}.signature`, 'utf8'),
          'signature-algorithm': 'SHA256withRSA',
        })
      : {};
    await s3.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `security/${key}`,
        Body: readFileSync(file),
        Metadata: meta,
      }),
    );
  }
  return bucket;
}

/** Verifies with the key file, or with the keys of the stand-in CloudTrail at `keysFrom`. */
async function verify(bucket: string, keysFrom?: string) {
  const r = await cli([
    'verify',
    `s3://${bucket}/security`,
    '--endpoint-url',
    s3.endpointUrl,
    '--region',
    'us-east-1',
    ...(keysFrom === undefined ? ['--public-key', publicPem] : ['--cloudtrail-endpoint-url', keysFrom]),
    '--format',
    'jsonl',
  ]);
  const report = JSON.parse(r.out) as {
    signaturesVerified: number;
    logFilesVerified: number;
    problems: { kind: string; key: string; detail: string }[];
  };
  return { code: r.code, report, kinds: report.problems.map((p) => [p.kind, path.basename(p.key)]) };
}

describe('trailwatch verify s3://', () => {
  it('verifies an intact trail in the bucket: hashes, chain, and signatures from object metadata', async () => {
    const { code, report } = await verify(await upload());
    expect(report).toMatchObject({ logFilesVerified: 3, signaturesVerified: 2, problems: [] });
    expect(code).toBe(0);
  });

  it('verifies the signatures with the region keys listed by CloudTrail (ListPublicKeys stand-in)', async () => {
    const cloudtrail = await startCloudTrailServer();
    try {
      cloudtrail.publicKeys = [apiKey(publicKey)];
      const { code, report } = await verify(await upload(), cloudtrail.endpointUrl);
      expect(report).toMatchObject({ logFilesVerified: 3, signaturesVerified: 2, problems: [] });
      expect(code).toBe(0);
      expect(cloudtrail.keyRequests.map((q) => [q.region, q.startTime, q.endTime])).toEqual([
        ['us-east-1', TRAIL_START, TRAIL_END],
      ]);
    } finally {
      await cloudtrail.close();
    }
  });

  it('reports a log file changed in the bucket', async () => {
    const bucket = await upload();
    await s3.put(bucket, `security/${logKey(2)}`, gzipSync(logText(9)));
    const { code, kinds } = await verify(bucket);
    expect(kinds).toEqual([['modified', path.basename(logKey(2))]]);
    expect(code).toBe(1);
  });

  // Another first hex digit, whatever the signature starts with (one in 256 already starts with 00).
  const flipFirst = (hex: string): string => (hex.startsWith('0') ? '1' : '0') + hex.slice(1);

  it('checks the signature metadata: wrong, absent, or another algorithm', async () => {
    const wrong = await upload((key, m) =>
      key === digestKey(2) ? { ...m, signature: flipFirst(m.signature ?? '') } : m,
    );
    expect((await verify(wrong)).kinds).toEqual([['signature-invalid', path.basename(digestKey(2))]]);

    const absent = await upload((key, m) => (key === digestKey(1) ? {} : m));
    const unsigned = await verify(absent);
    expect(unsigned.kinds).toEqual([['signature-unverified', path.basename(digestKey(1))]]);
    expect(unsigned.report.problems[0]?.detail).toContain('no signature');

    const other = await upload((key, m) =>
      key === digestKey(1) ? { ...m, 'signature-algorithm': 'SHA1withRSA' } : m,
    );
    const found = await verify(other);
    expect(found.kinds).toEqual([['signature-invalid', path.basename(digestKey(1))]]);
    expect(found.report.problems[0]?.detail).toContain('SHA1withRSA differs from the digest');
  });

  it('names the bucket when it cannot be read', async () => {
    const r = await cli(['verify', 's3://no-such-bucket', '--endpoint-url', s3.endpointUrl]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no-such-bucket');
  });
});
