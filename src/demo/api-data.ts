// Data-plane calls: S3 object access, Lambda Invoke, and the KMS calls services make on a caller's behalf.
import type { JsonObject } from '../domain/json.js';
import type { Api } from './record.js';
import type { Rng } from './random.js';

const s3Host = (bucket: string, region: string): string => `${bucket}.s3.${region}.amazonaws.com`;
const bucketResource = (account: string, bucket: string): JsonObject => ({
  accountId: account,
  type: 'AWS::S3::Bucket',
  ARN: `arn:aws:s3:::${bucket}`,
});

/** S3 request IDs are 16 upper-case hex digits, not UUIDs. */
const s3RequestId = (rng: Rng): string => rng.hex(16).toUpperCase();

function s3Additional(rng: Rng, bytesIn: number, bytesOut: number): JsonObject {
  return {
    SignatureVersion: 'SigV4',
    CipherSuite: 'TLS_AES_128_GCM_SHA256',
    bytesTransferredIn: bytesIn,
    AuthenticationMethod: 'AuthHeader',
    'x-amz-id-2': `${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 76)}=`,
    bytesTransferredOut: bytesOut,
  };
}

interface ObjectRef {
  account: string;
  region: string;
  bucket: string;
  key: string;
}

function objectApi(
  rng: Rng,
  ref: ObjectRef,
  name: string,
  readOnly: boolean,
  bytesIn: number,
  bytesOut: number,
): Api {
  return {
    source: 's3.amazonaws.com',
    name,
    readOnly,
    category: 'Data',
    request: { bucketName: ref.bucket, Host: s3Host(ref.bucket, ref.region), key: ref.key },
    additional: s3Additional(rng, bytesIn, bytesOut),
    requestId: s3RequestId(rng),
    host: s3Host(ref.bucket, ref.region),
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${ref.bucket}/${ref.key}` },
      bucketResource(ref.account, ref.bucket),
    ],
  };
}

export const getObject = (rng: Rng, ref: ObjectRef, size: number): Api =>
  objectApi(rng, ref, 'GetObject', true, 0, size);

/** A PutObject; with a KMS key the bucket encrypts with SSE-KMS and says so in the response. */
export function putObject(rng: Rng, ref: ObjectRef, size: number, kmsKeyArn?: string): Api {
  const api = objectApi(rng, ref, 'PutObject', false, size, 0);
  const response: JsonObject =
    kmsKeyArn === undefined
      ? { 'x-amz-server-side-encryption': 'AES256' }
      : {
          'x-amz-server-side-encryption-aws-kms-key-id': kmsKeyArn,
          'x-amz-server-side-encryption': 'aws:kms',
        };
  return { ...api, response };
}

/** ListObjectsV2 is logged as `ListObjects` with `list-type: 2`. */
export function listObjects(rng: Rng, account: string, region: string, bucket: string, prefix: string): Api {
  return {
    source: 's3.amazonaws.com',
    name: 'ListObjects',
    readOnly: true,
    category: 'Data',
    request: {
      'list-type': '2',
      bucketName: bucket,
      'encoding-type': 'url',
      prefix,
      Host: s3Host(bucket, region),
    },
    additional: s3Additional(rng, 0, rng.int(600, 40_000)),
    requestId: s3RequestId(rng),
    host: s3Host(bucket, region),
    resources: [bucketResource(account, bucket)],
  };
}

export function listBuckets(rng: Rng): Api {
  return {
    source: 's3.amazonaws.com',
    name: 'ListBuckets',
    readOnly: true,
    region: 'us-east-1',
    request: { Host: 's3.amazonaws.com' },
    additional: s3Additional(rng, 0, rng.int(800, 4000)),
    requestId: s3RequestId(rng),
    host: 's3.amazonaws.com',
  };
}

export function lambdaInvoke(functionArn: string): Api {
  return {
    source: 'lambda.amazonaws.com',
    name: 'Invoke',
    readOnly: false,
    category: 'Data',
    request: { functionName: functionArn },
    additional: { functionVersion: `${functionArn}:$LATEST` },
    resources: [
      { accountId: functionArn.split(':')[4] ?? '', type: 'AWS::Lambda::Function', ARN: functionArn },
    ],
  };
}

const keyResource = (keyArn: string): JsonObject[] => [
  { accountId: keyArn.split(':')[4] ?? '', type: 'AWS::KMS::Key', ARN: keyArn },
];

/** SSM decrypting a SecureString parameter for its caller. */
export function kmsDecryptForParameter(keyArn: string, parameterArn: string): Api {
  return {
    source: 'kms.amazonaws.com',
    name: 'Decrypt',
    readOnly: true,
    request: { encryptionContext: { PARAMETER_ARN: parameterArn }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    resources: keyResource(keyArn),
  };
}

/** S3 asking KMS for a data key to encrypt an object with SSE-KMS. */
export function kmsGenerateDataKeyForObject(keyArn: string, bucket: string, key: string): Api {
  return {
    source: 'kms.amazonaws.com',
    name: 'GenerateDataKey',
    readOnly: true,
    request: {
      keyId: keyArn,
      encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${key}` },
      keySpec: 'AES_256',
    },
    resources: keyResource(keyArn),
  };
}
