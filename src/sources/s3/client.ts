// Creating the S3 client: the SDK's default credential and region chains, plus a custom endpoint for S3-compatible servers.
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  region?: string;
  /** A profile in the shared AWS config and credentials files. */
  profile?: string;
  /** An S3-compatible endpoint (MinIO, a local emulator); implies path-style addressing. */
  endpointUrl?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Used when no region is configured anywhere; buckets in other regions are reached through redirects. */
export const FALLBACK_REGION = 'us-east-1';

/** An S3 client using the SDK's default credential chain, or the given profile or credentials. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    region: options.region ?? regionWithFallback(options.profile),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl, forcePathStyle: true }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // A bucket in another region than the client's answers 301; let the SDK retry there instead of failing.
    followRegionRedirects: true,
  });
}

/**
 * The region from the SDK's own chain (AWS_REGION, then the profile's `region` in the shared config file);
 * failing that AWS_DEFAULT_REGION, which the AWS CLI reads but the JavaScript SDK does not; failing that
 * FALLBACK_REGION. The one place where Trailwatch reads an AWS environment variable itself.
 */
export function regionWithFallback(
  profile?: string,
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<string> {
  let region: Promise<string> | undefined;
  const resolve = async (): Promise<string> => {
    const probe = new S3Client(profile === undefined ? {} : { profile });
    try {
      return await probe.config.region();
    } catch {
      return env['AWS_DEFAULT_REGION'] || FALLBACK_REGION;
    } finally {
      probe.destroy();
    }
  };
  return () => (region ??= resolve());
}
