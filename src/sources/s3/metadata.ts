// Reading an S3 object's user metadata: a CloudTrail digest's signature travels as x-amz-meta-signature.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeEndpoint, toSourceError } from './errors.js';

/** The object's user metadata (a digest's `x-amz-meta-signature` is `signature` here). */
export async function readMetadata(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, string>> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return Object.fromEntries(Object.entries(head.Metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  } catch (error) {
    throw toSourceError(error, {
      bucket,
      action: `read the metadata of s3://${bucket}/${key}`,
      endpoint: await describeEndpoint(client),
    });
  }
}
