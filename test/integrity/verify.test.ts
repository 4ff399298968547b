// trailwatch verify on a trail whose digests, chain and RSA signatures the test makes itself.
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFingerprint } from '../../src/integrity/digest.js';
import { cli } from '../helpers/cli.js';
import { BUCKET, buildTrail, digestKey, logKey, logText, publicKey } from '../helpers/signed-trail.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-verify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const publicPem = path.join(root, 'us-east-1.pem');
const original = path.join(root, 'original');
beforeAll(() => {
  writeFileSync(publicPem, publicKey.export({ type: 'pkcs1', format: 'pem' }));
  buildTrail(original);
});

let n = 0;
function copy(): string {
  const dir = path.join(root, `case-${n++}`);
  cpSync(original, dir, { recursive: true });
  return dir;
}

async function problems(dir: string, withKey = true): Promise<[string, string][]> {
  const r = await cli([
    'verify',
    dir,
    '--format',
    'jsonl',
    ...(withKey ? ['--public-key', publicPem] : ['--offline']),
  ]);
  const report = JSON.parse(r.out) as { problems: { kind: string; key: string }[] };
  return report.problems.map((p) => [p.kind, path.basename(p.key)]);
}

describe('trailwatch verify', () => {
  it('verifies an intact trail: every hash, the chain and every signature', async () => {
    const r = await cli(['verify', copy(), '--public-key', publicPem]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('digests: 2; log files listed 3, verified 3; signatures verified 2');
    expect(r.out).toContain('the trail verifies');
  });

  it('reports modified, missing and unlisted log files', async () => {
    const dir = copy();
    writeFileSync(path.join(dir, logKey(2)), gzipSync(logText(9)));
    unlinkSync(path.join(dir, logKey(1)));
    writeFileSync(path.join(dir, logKey(4)), gzipSync(logText(4)));
    expect((await problems(dir)).sort()).toEqual([
      ['missing', path.basename(logKey(1))],
      ['modified', path.basename(logKey(2))],
      ['unlisted', path.basename(logKey(4))],
    ]);
    expect((await cli(['verify', dir, '--public-key', publicPem])).code).toBe(1);
  });

  it('reports a deleted digest in the chain and a tampered one', async () => {
    const gone = copy();
    unlinkSync(path.join(gone, digestKey(1)));
    expect((await problems(gone)).sort()).toEqual([
      ['previous-missing', path.basename(digestKey(2))],
      ['unlisted', path.basename(logKey(1))],
      ['unlisted', path.basename(logKey(2))],
    ]);
    const tampered = copy();
    // a digest rewritten to hide a file: its hash changes, so its signature and the chain fail
    writeFileSync(
      path.join(tampered, digestKey(1)),
      gzipSync(
        JSON.stringify({
          awsAccountId: '111122223333',
          logFiles: [],
          digestEndTime: '2024-05-01T01:00:00Z',
          digestS3Bucket: BUCKET,
          digestS3Object: digestKey(1),
          digestPublicKeyFingerprint: keyFingerprint(publicKey),
        }),
      ),
    );
    const found = await problems(tampered);
    expect(found).toEqual(
      expect.arrayContaining([
        ['signature-invalid', path.basename(digestKey(1))],
        ['chain-broken', path.basename(digestKey(2))],
        ['unlisted', path.basename(logKey(1))],
      ]),
    );
  });

  it('offline without keys: says plainly that signatures could not be checked', async () => {
    expect(await problems(copy(), false)).toEqual([
      ['signature-unverified', path.basename(digestKey(1))],
      ['signature-unverified', path.basename(digestKey(2))],
    ]);
  });
});
