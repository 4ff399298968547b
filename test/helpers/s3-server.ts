// A real S3-compatible server (fauxqs) in this process, on 127.0.0.1 only, with a bucket to fill.
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { createS3Client } from '../../src/sources/s3/index.js';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface S3Server {
  endpointUrl: string;
  client: S3Client;
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  createBucket(bucket: string): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3Server> {
  // buildApp + listen on 127.0.0.1: fauxqs's own start helper binds every interface.
  const app = buildApp({ logger: false });
  const endpointUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = createS3Client({ endpointUrl, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  return {
    endpointUrl,
    client,
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    },
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client.destroy();
      await app.close();
    },
  };
}
