// Turning S3 SDK failures into SourceErrors a user can act on: the bucket, the endpoint, and what S3 said.
import { S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { SourceError } from '../port.js';

export interface S3Failure {
  bucket: string;
  /** What was being done, e.g. `list s3://bucket/AWSLogs/` or `read s3://bucket/key`. */
  action: string;
  /** Where, from `describeEndpoint`. */
  endpoint: string;
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
]);
const WRONG_REGION = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

/**
 * A SourceError for failures a user can fix (missing bucket, no access, no credentials, unreachable endpoint).
 * Anything else is returned unchanged: it is a bug, and its stack matters.
 */
export function toSourceError(error: unknown, failure: S3Failure): unknown {
  if (!(error instanceof Error) || error instanceof SourceError) return error;
  const { bucket, action, endpoint } = failure;
  const said = `${error.name}: ${error.message}`;
  const make = (message: string): SourceError => new SourceError(message, { cause: error });

  if (error.name === 'CredentialsProviderError') {
    return make(
      `Cannot ${action}: no AWS credentials found (${error.message}). Configure a profile, e.g. ` +
        '`aws configure --profile trailwatch`, and select it, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (isNetworkError(error)) {
    return make(
      `Cannot ${action}: S3 at ${endpoint} is unreachable (${said}). Check the endpoint URL and the network, ` +
        'e.g. http://localhost:9000 for a local MinIO.',
    );
  }
  if (!(error instanceof S3ServiceException)) return error;
  const status = error.$metadata.httpStatusCode;
  if (error.name === 'NoSuchBucket') {
    return make(
      `Cannot ${action}: bucket "${bucket}" does not exist at ${endpoint} (${said}). ` +
        'Check the bucket name in the URL, e.g. s3://my-cloudtrail-bucket/AWSLogs/.',
    );
  }
  if (error.name === 'NoSuchKey') {
    return make(
      `Cannot ${action}: the object was deleted after it was listed (${said}). Run again to list afresh.`,
    );
  }
  if (ACCESS_DENIED.has(error.name) || status === 403) {
    return make(
      `Cannot ${action}: access denied at ${endpoint} (${said}). The credentials in use need s3:ListBucket ` +
        `and s3:GetObject on bucket "${bucket}"; use a profile or credentials that have them.`,
    );
  }
  if (WRONG_REGION.has(error.name) || status === 301) {
    return make(
      `Cannot ${action}: bucket "${bucket}" is not in the region of ${endpoint} (${said}). ` +
        "Set the bucket's region, e.g. eu-west-1.",
    );
  }
  return make(`Cannot ${action} at ${endpoint}: ${said}${status === undefined ? '' : ` (HTTP ${status})`}.`);
}

function isNetworkError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return error.name === 'TimeoutError' && !(error instanceof S3ServiceException);
}

/** Where a client sends requests, for messages: `http://127.0.0.1:9000 (us-east-1)` or `AWS S3 (eu-west-1)`. */
export async function describeEndpoint(client: S3Client): Promise<string> {
  const region = await client.config.region().catch(() => 'no region');
  if (!client.config.endpoint) return `AWS S3 (${region})`;
  try {
    const { protocol, hostname, port, path } = await client.config.endpoint();
    return `${protocol}//${hostname}${port === undefined ? '' : `:${port}`}${path === '/' ? '' : path} (${region})`;
  } catch {
    return `a custom endpoint (${region})`;
  }
}
