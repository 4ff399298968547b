// Turning SNS SDK failures into SinkErrors: throttling, server and network trouble are worth retrying.
import { SNSServiceException } from '@aws-sdk/client-sns';
import { errorCode, isPermanentNetworkError } from '../network.js';
import { SinkError } from '../port.js';
import { scrub } from '../redact.js';

const RETRYABLE_NAMES = new Set([
  'ThrottledException',
  'KMSThrottlingException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  // Network failures and our own deadline.
  'TimeoutError',
  'AbortError',
]);

interface SdkErrorFields {
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  $fault?: unknown;
  /** Set by the SDK when an answer could not be parsed (not SNS XML). */
  $responseBodyText?: unknown;
}

/**
 * Throttling, server errors, network failures and garbled answers are retryable; validation, not-found,
 * authorization and missing credentials are not.
 */
export function toSinkError(error: unknown, target: string, secrets: (string | undefined)[]): SinkError {
  const make = (what: string, isRetryable: boolean): SinkError =>
    new SinkError(`Cannot publish to ${target}: ${scrub(what, secrets)}`, isRetryable);
  if (!(error instanceof Error)) return make(String(error), true);
  if (error.name === 'CredentialsProviderError')
    return make(
      `no AWS credentials found (${error.message}). Give the destination credentials, or set up the default chain (AWS_PROFILE, an instance role…).`,
      false,
    );
  const fields = error as Error & SdkErrorFields;
  const status = fields.$metadata?.httpStatusCode;
  const body = typeof fields.$responseBodyText === 'string' ? fields.$responseBodyText : null;
  const said =
    error instanceof SNSServiceException || body === null
      ? `${error.name}: ${error.message.split('\n')[0] ?? ''}`
      : `the answer is not SNS XML: ${body.replace(/\s+/g, ' ').trim().slice(0, 200)}`;
  const where = status === undefined ? '' : ` (HTTP ${status})`;
  if (RETRYABLE_NAMES.has(error.name) || fields.$retryable !== undefined || fields.$fault === 'server')
    return make(`${said}${where}`, true);
  if (status !== undefined)
    return make(
      `${said}${where}`,
      status === 408 || status === 425 || status === 429 || status >= 500 || status < 400,
    );
  // Without an HTTP status nothing was answered: a network failure (ECONNREFUSED, ENOTFOUND…) or similar.
  const code = errorCode(error);
  return make(code === null ? said : `${code}: ${error.message}`, !isPermanentNetworkError(error));
}
