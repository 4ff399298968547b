// Turning CloudTrail SDK failures into SourceErrors a user can act on; anything else stays a bug with its stack.
import { CloudTrailServiceException } from '@aws-sdk/client-cloudtrail';
import { SourceError } from '../port.js';

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

export interface ErrorContext {
  /** The IAM action the request needs, named when access is denied. */
  permission?: string;
  /** The option that sets the endpoint, named when it cannot be reached. */
  endpointOption?: string;
  /** Said after the reason when the request could not be made at all (no access, no credentials, no endpoint). */
  alternative?: string;
}

export function toSourceError(error: unknown, action: string, context: ErrorContext = {}): unknown {
  const { permission = 'cloudtrail:LookupEvents', endpointOption = '--endpoint-url' } = context;
  if (!(error instanceof Error) || error instanceof SourceError) return error;
  const said = `${error.name}: ${error.message}`;
  const make = (message: string): SourceError =>
    new SourceError(context.alternative ? `${message} ${context.alternative}` : message, { cause: error });
  if (error.name === 'CredentialsProviderError')
    return make(
      `Cannot ${action}: no AWS credentials found (${error.message}). Select a profile with --profile, ` +
        'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code))
    return make(
      `Cannot ${action}: the CloudTrail endpoint is unreachable (${said}). Check ${endpointOption}.`,
    );
  if (!(error instanceof CloudTrailServiceException)) return error;
  if (ACCESS_DENIED.has(error.name) || error.$metadata.httpStatusCode === 403)
    return make(`Cannot ${action}: access denied (${said}). The credentials in use need ${permission}.`);
  return new SourceError(`Cannot ${action}: ${said}.`, { cause: error });
}
