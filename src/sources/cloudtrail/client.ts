// Creating the CloudTrail client: the SDK's default credential chain, the history's region, an optional endpoint.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

export interface CloudTrailClientOptions {
  region: string;
  profile?: string;
  /** A stand-in endpoint; without it the SDK also honours AWS_ENDPOINT_URL_CLOUDTRAIL. */
  endpointUrl?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createCloudTrailClient(options: CloudTrailClientOptions): CloudTrailClient {
  return new CloudTrailClient({
    region: options.region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    // Retries go through Trailwatch's token bucket (rate.ts); the SDK's own would bypass it.
    maxAttempts: 1,
  });
}
