// The S3 source: lists CloudTrail objects under an s3:// URL, pruned by the key layout, and reads them whole.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { leastDeliveryKey, mergeByDelivery } from '../delivery-order.js';
import { keyMatchesFilter } from '../key-layout.js';
import { SourceError, type ListingFilter, type Source, type SourceObject } from '../port.js';
import { describeEndpoint, toSourceError } from './errors.js';
import { createBucketLister, type BucketLister, type ListedObject } from './list.js';
import { readMetadata } from './metadata.js';
import { parseS3Url } from './url.js';
import { findLeafPrefixes } from './walk.js';

export interface S3SourceOptions {
  client: S3Client;
  /** `s3://bucket[/prefix]`: the bucket root, a prefix above `AWSLogs/`, or one inside the layout. */
  url: string;
  filter: ListingFilter;
  /**
   * Folder listings in flight at once while the layout is walked; default 8. Objects are then listed a
   * page at a time, the listings merged in delivery order.
   */
  listConcurrency?: number;
  /** MaxKeys per listing request; the server's default (1000 on S3) when not set. */
  pageSize?: number;
}

const DEFAULT_LIST_CONCURRENCY = 8;

export function createS3Source(options: S3SourceOptions): Source {
  const { client, filter } = options;
  const { bucket, prefix } = parseS3Url(options.url);
  const concurrency = options.listConcurrency ?? DEFAULT_LIST_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SourceError(
      `Expected listConcurrency to be a whole number of at least 1, e.g. 8; found ${concurrency}`,
    );
  }
  const lister = createBucketLister(client, bucket, options.pageSize);
  const toObject = ({ key, etag, size }: ListedObject): SourceObject => {
    const uri = `s3://${bucket}/${key}`;
    return {
      identity: `${uri}#${etag ?? `size:${size ?? 'unknown'}`}`,
      uri,
      key,
      size,
      read: () => readObject(client, bucket, key),
      metadata: () => readMetadata(client, bucket, key),
    };
  };

  return {
    async *list() {
      const leaves = (await findLeafPrefixes(lister, prefix, filter, concurrency)) ?? [prefix];
      // Every account's and region's listing merged by delivery time: a backfill is stored (and its
      // stateful rules run) in time order across the organisation, not one region's year after another.
      const streams = leaves.map((leaf) => ({
        least: leastDeliveryKey(leaf),
        open: () => objectsUnder(lister, leaf),
      }));
      for await (const listed of mergeByDelivery(streams, (o) => o.key)) {
        // Keys ending in '/' are folder markers made by consoles and sync tools, not files.
        if (!listed.key.endsWith('/') && keyMatchesFilter(listed.key, filter)) yield toObject(listed);
      }
    },
  };
}

async function* objectsUnder(lister: BucketLister, prefix: string): AsyncGenerator<ListedObject> {
  for await (const page of lister.objects(prefix)) yield* page;
}

/**
 * The object's bytes as stored. Not gunzipped: callers recognise gzip by its magic bytes. The Node SDK does not
 * decode a `Content-Encoding: gzip` response either, so the bytes are the same whatever headers the object has.
 */
export async function readObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  try {
    const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!Body) return Buffer.alloc(0);
    const bytes = await Body.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const endpoint = await describeEndpoint(client);
    throw toSourceError(error, { bucket, action: `read s3://${bucket}/${key}`, endpoint });
  }
}
