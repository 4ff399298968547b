// The S3 client's configuration chains (region, profile, endpoint) and the mapping of S3 failures to SourceErrors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SourceError } from '../../src/sources/port.js';
import { createS3Client } from '../../src/sources/s3/client.js';
import { toSourceError } from '../../src/sources/s3/errors.js';

describe('createS3Client', () => {
  let dir: string;

  // Each test gets its own (empty) shared config files, so the machine's ~/.aws never leaks in.
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trailwatch-s3-client-'));
    vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
    for (const name of [
      'AWS_PROFILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ]) {
      vi.stubEnv(name, undefined);
    }
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the given region', async () => {
    expect(await createS3Client({ region: 'eu-west-1' }).config.region()).toBe('eu-west-1');
  });

  it('falls back to us-east-1 when no region is configured anywhere', async () => {
    expect(await createS3Client().config.region()).toBe('us-east-1');
  });

  it('leaves AWS_REGION to the SDK, and reads AWS_DEFAULT_REGION as the AWS CLI does', async () => {
    vi.stubEnv('AWS_REGION', 'ap-southeast-2');
    vi.stubEnv('AWS_DEFAULT_REGION', 'eu-central-1');
    expect(await createS3Client().config.region()).toBe('ap-southeast-2');
    vi.stubEnv('AWS_REGION', undefined);
    expect(await createS3Client().config.region()).toBe('eu-central-1');
  });

  it("takes a profile's region and credentials from the shared files", async () => {
    writeFileSync(join(dir, 'config'), '[profile audit]\nregion = sa-east-1\n');
    writeFileSync(
      join(dir, 'credentials'),
      '[audit]\naws_access_key_id = AKIDAUDIT\naws_secret_access_key = s3cret\n',
    );
    const client = createS3Client({ profile: 'audit' });
    expect(await client.config.region()).toBe('sa-east-1');
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'AKIDAUDIT',
      secretAccessKey: 's3cret',
    });
  });

  it('addresses a custom endpoint path-style, with the given credentials', async () => {
    const client = createS3Client({
      endpointUrl: 'http://127.0.0.1:9000',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.endpoint?.()).toMatchObject({
      hostname: '127.0.0.1',
      port: 9000,
      protocol: 'http:',
    });
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'test' });
  });
});

describe('toSourceError', () => {
  const failure = {
    bucket: 'trail-bucket',
    action: 'list s3://trail-bucket/AWSLogs/',
    endpoint: 'AWS S3 (us-east-1)',
  };
  const s3Error = (name: string, status: number): S3ServiceException =>
    new S3ServiceException({
      name,
      $fault: 'client',
      $metadata: { httpStatusCode: status },
      message: `${name} message`,
    });

  it('explains access denied with the permissions needed', () => {
    const error = toSourceError(s3Error('AccessDenied', 403), failure);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe(
      'Cannot list s3://trail-bucket/AWSLogs/: access denied at AWS S3 (us-east-1) (AccessDenied: AccessDenied message). ' +
        'The credentials in use need s3:ListBucket and s3:GetObject on bucket "trail-bucket"; ' +
        'use a profile or credentials that have them.',
    );
  });

  it('explains a bucket in another region and missing credentials', () => {
    expect(toSourceError(s3Error('PermanentRedirect', 301), failure)).toHaveProperty(
      'message',
      expect.stringContaining('bucket "trail-bucket" is not in the region of AWS S3 (us-east-1)'),
    );
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(toSourceError(noCredentials, failure)).toHaveProperty(
      'message',
      expect.stringContaining('no AWS credentials found (Could not load credentials from any providers)'),
    );
  });

  it('leaves errors that are bugs alone', () => {
    const bug = new TypeError('Cannot read properties of undefined');
    expect(toSourceError(bug, failure)).toBe(bug);
  });
});
