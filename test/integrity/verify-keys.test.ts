// trailwatch verify with the region keys from CloudTrail's ListPublicKeys, served by a stand-in on 127.0.0.1:
// which region and period are asked, paging, validity windows, keys it does not list, and refusals.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startCloudTrailServer, type CloudTrailServer } from '../helpers/cloudtrail-server.js';
import { TEST_CREDENTIALS } from '../helpers/s3-server.js';
import {
  apiKey,
  buildTrail,
  digestKey,
  other,
  privateKey,
  publicKey,
  TRAIL_END,
  TRAIL_START,
} from '../helpers/signed-trail.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-verify-keys-'));
/** Both digests signed with the usual key. */
const trail = path.join(root, 'trail');
/** Hour 1 signed with the usual key, hour 2 with the other one. */
const mixed = path.join(root, 'mixed');
let server: CloudTrailServer;

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  buildTrail(trail);
  buildTrail(mixed, (hour) => (hour === 1 ? { publicKey, privateKey } : other));
});
afterEach(async () => server?.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function verify(dir: string, extra: string[] = [], env?: Record<string, string>) {
  const r = await cli(['verify', dir, '--format', 'jsonl', ...extra], {
    env: env ?? { AWS_ENDPOINT_URL_CLOUDTRAIL: server.endpointUrl },
  });
  if (r.code === 2) return { code: r.code, err: r.err, report: null, kinds: [] };
  const report = JSON.parse(r.out) as {
    signaturesVerified: number;
    keysListed: { region: string; keys: number }[];
    problems: { kind: string; key: string; detail: string }[];
  };
  return {
    code: r.code,
    err: r.err,
    report,
    kinds: report.problems.map((p) => [p.kind, path.basename(p.key)]),
  };
}

describe('trailwatch verify with keys from ListPublicKeys', () => {
  it('verifies a folder with keys only from the API, asking the digests’ region for their period, page by page', async () => {
    server = await startCloudTrailServer();
    // The trail's key among others: one of another region with the same key, one of us-east-1 that signed nothing.
    server.publicKeys = [apiKey(other.publicKey), apiKey(publicKey, 'eu-west-1'), apiKey(publicKey)];
    const { code, report } = await verify(trail);
    expect(report).toMatchObject({
      signaturesVerified: 2,
      problems: [],
      keysListed: [{ region: 'us-east-1', keys: 2 }],
    });
    expect(code).toBe(0);
    const asked = server.keyRequests.filter((q) => !q.isThrottled);
    expect(asked.map((q) => [q.region, q.startTime, q.endTime])).toEqual([
      ['us-east-1', TRAIL_START, TRAIL_END],
      ['us-east-1', TRAIL_START, TRAIL_END],
    ]);
    expect(asked[0]?.nextToken).toBeNull();
    expect(asked[1]?.nextToken).toEqual(expect.any(String));
    expect(server.keyRequests.filter((q) => q.isThrottled)).toEqual([]);
  });

  it('takes --cloudtrail-endpoint-url over the environment', async () => {
    server = await startCloudTrailServer();
    server.publicKeys = [apiKey(publicKey)];
    const r = await verify(trail, ['--cloudtrail-endpoint-url', server.endpointUrl], {
      AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://127.0.0.1:9',
    });
    expect(r.report?.signaturesVerified).toBe(2);
    expect(r.code).toBe(0);
  });

  it('reports a digest signed with a key the API does not list for its region', async () => {
    server = await startCloudTrailServer();
    server.publicKeys = [apiKey(publicKey), apiKey(other.publicKey, 'us-west-2')];
    const { code, report, kinds } = await verify(mixed);
    expect(kinds).toEqual([['signature-invalid', path.basename(digestKey(2))]]);
    expect(report?.problems[0]?.detail).toContain('ListPublicKeys does not list for us-east-1');
    expect(report?.signaturesVerified).toBe(1);
    expect(code).toBe(1);
  });

  it('reports a digest that ended outside the validity window of the key it names', async () => {
    server = await startCloudTrailServer();
    server.publicKeys = [apiKey(publicKey, 'us-east-1', TRAIL_START, Date.parse('2024-05-01T01:30:00Z'))];
    const { code, report, kinds } = await verify(trail);
    expect(kinds).toEqual([['signature-invalid', path.basename(digestKey(2))]]);
    expect(report?.problems[0]?.detail).toContain(
      "was not valid at the digest's end time 2024-05-01T02:00:00Z",
    );
    expect(code).toBe(1);
  });

  it('combines key files and listed keys, and asks the API only when the files do not cover a digest', async () => {
    server = await startCloudTrailServer();
    server.publicKeys = [apiKey(other.publicKey)];
    const pem = path.join(root, 'usual.pem');
    writeFileSync(pem, publicKey.export({ type: 'pkcs1', format: 'pem' }));
    const combined = await verify(mixed, ['--public-key', pem]);
    expect(combined.report).toMatchObject({ signaturesVerified: 2, problems: [] });
    expect(server.keyRequests.length).toBeGreaterThan(0);

    server.keyRequests.length = 0;
    const covered = await verify(trail, ['--public-key', pem]);
    expect(covered.report).toMatchObject({ signaturesVerified: 2, problems: [], keysListed: [] });
    expect(server.keyRequests).toEqual([]);
  });

  it('--offline asks nothing: without key files the signatures stay unverified', async () => {
    server = await startCloudTrailServer();
    server.publicKeys = [apiKey(publicKey)];
    const { code, kinds } = await verify(trail, ['--offline']);
    expect(kinds).toEqual([
      ['signature-unverified', path.basename(digestKey(1))],
      ['signature-unverified', path.basename(digestKey(2))],
    ]);
    expect(code).toBe(1);
    expect(server.keyRequests).toEqual([]);
  });

  it('names the missing permission when the API refuses, with exit status 2', async () => {
    server = await startCloudTrailServer();
    server.keysError = {
      status: 400,
      type: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::111122223333:user/ci is not authorized to perform: cloudtrail:ListPublicKeys',
    };
    const r = await verify(trail);
    expect(r.code).toBe(2);
    expect(r.err).toContain('access denied');
    expect(r.err).toContain('need cloudtrail:ListPublicKeys');
    expect(r.err).toContain('us-east-1');
  });

  it('says which endpoint option to check when CloudTrail cannot be reached', async () => {
    server = await startCloudTrailServer();
    const r = await verify(trail, ['--cloudtrail-endpoint-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Check --cloudtrail-endpoint-url');
    expect(r.err).toContain('Without the API: --offline');
  });
});
