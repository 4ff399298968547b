// Paginated ListObjectsV2 for one bucket: folder (common prefix) listings and object pages, errors made readable.
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { byCodeUnit } from '../delivery-order.js';
import { SourceError } from '../port.js';
import { describeEndpoint, toSourceError } from './errors.js';

export interface ListedObject {
  key: string;
  /** Without quotes; null when the server sent none. */
  etag: string | null;
  size: number | null;
}

export interface BucketLister {
  /** The sub-folders (common prefixes ending in `/`) directly under `prefix`, sorted. */
  folders(prefix: string): Promise<string[]>;
  /** Every object under `prefix`, a page at a time, each page sorted by key. */
  objects(prefix: string): AsyncGenerator<ListedObject[]>;
}

export function createBucketLister(client: S3Client, bucket: string, pageSize?: number): BucketLister {
  const pages = (prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> =>
    listPages(client, bucket, prefix, delimiter, pageSize);
  return {
    async folders(prefix) {
      const found = new Set<string>();
      for await (const page of pages(prefix, '/')) {
        for (const { Prefix } of page.CommonPrefixes ?? []) if (Prefix !== undefined) found.add(Prefix);
      }
      return [...found].sort(byCodeUnit);
    },
    async *objects(prefix) {
      for await (const page of pages(prefix)) {
        const listed: ListedObject[] = [];
        for (const { Key, ETag, Size } of page.Contents ?? []) {
          if (Key === undefined) continue;
          listed.push({ key: Key, etag: ETag?.replaceAll('"', '') || null, size: Size ?? null });
        }
        yield listed.sort((a, b) => byCodeUnit(a.key, b.key));
      }
    },
  };
}

// Pages follow ContinuationToken only: never the last key, since servers need not return keys in order.
async function* listPages(
  client: S3Client,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
  pageSize: number | undefined,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  let token: string | undefined;
  do {
    const command = new ListObjectsV2Command({
      Bucket: bucket,
      Prefix: prefix,
      Delimiter: delimiter,
      MaxKeys: pageSize,
      ContinuationToken: token,
    });
    let page: ListObjectsV2CommandOutput;
    try {
      page = await client.send(command);
    } catch (error) {
      const endpoint = await describeEndpoint(client);
      throw toSourceError(error, { bucket, action: `list s3://${bucket}/${prefix}`, endpoint });
    }
    yield page;
    const next = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && (next === undefined || next === token)) {
      throw new SourceError(
        `Cannot list s3://${bucket}/${prefix}: the server said the listing continues but gave no new ` +
          'continuation token. The S3-compatible server is not following the ListObjectsV2 API.',
      );
    }
    token = next;
  } while (token !== undefined);
}
