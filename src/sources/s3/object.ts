// One known S3 object as a SourceObject (for objects announced by notifications rather than listed).
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SourceObject } from '../port.js';
import { describeEndpoint, toSourceError } from './errors.js';
import { readMetadata } from './metadata.js';
import { readObject } from './source.js';

/** The object's identity needs its ETag: taken from the notification, or asked with HEAD. */
export async function s3Object(
  client: S3Client,
  bucket: string,
  key: string,
  etag: string | null,
  size: number | null,
): Promise<SourceObject> {
  let tag = etag;
  let bytes = size;
  if (tag === null) {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      tag = head.ETag?.replace(/"/g, '') ?? null;
      bytes = head.ContentLength ?? bytes;
    } catch (error) {
      throw toSourceError(error, {
        bucket,
        action: `read s3://${bucket}/${key}`,
        endpoint: await describeEndpoint(client),
      });
    }
  }
  const uri = `s3://${bucket}/${key}`;
  return {
    identity: tag ? `${uri}#${tag}` : `${uri}#size:${bytes ?? 'unknown'}`,
    uri,
    key,
    size: bytes,
    read: () => readObject(client, bucket, key),
    metadata: () => readMetadata(client, bucket, key),
  };
}
