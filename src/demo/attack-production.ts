// Attack steps inside production: probing for secrets, blinding detection, exposing a bucket to the world.
import type { JsonObject } from '../domain/json.js';
import { SECOND } from './format.js';
import { arnOf, type Caller } from './identities.js';
import {
  BUCKETS,
  GLOBAL_REGION,
  GUARDDUTY_DETECTOR,
  INSTANCES,
  PROD_REGION,
  PROD_TRAIL,
  PRODUCTION,
} from './org.js';
import { emitApi, failed, notAuthorized, type Api, type Sink } from './record.js';

/** The organization's SCP denies secrets and database access to OrganizationAccountAccessRole. */
const SCP_DENY = 'with an explicit deny in a service control policy';

/** Emits the calls a few seconds apart, each in its own region; returns the time after the last. */
function burst(sink: Sink, caller: Caller, time: number, calls: readonly (readonly [string, Api])[]): number {
  let t = time;
  for (const [region, api] of calls) {
    t += sink.rng.int(2, 14) * SECOND;
    emitApi(sink, { time: t, caller, account: PRODUCTION, region }, api);
  }
  return t;
}

/** d: the attacker looks for secrets and databases and runs into the SCP. */
export function probeForSecrets(sink: Sink, time: number, caller: Caller): void {
  const arn = arnOf(caller);
  const secretArn = (name: string) =>
    `arn:aws:secretsmanager:${PROD_REGION}:${PRODUCTION}:secret:${name}-${sink.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 6)}`;
  const listSecrets: Api = {
    source: 'secretsmanager.amazonaws.com',
    name: 'ListSecrets',
    readOnly: true,
    request: null,
  };
  const denied = (api: Api, action: string, resource?: string): Api =>
    failed(api, 'AccessDenied', notAuthorized(arn, action, resource, SCP_DENY));
  const getSecret = (secretId: string): Api =>
    denied(
      {
        source: 'secretsmanager.amazonaws.com',
        name: 'GetSecretValue',
        readOnly: true,
        request: { secretId },
      },
      'secretsmanager:GetSecretValue',
      secretArn(secretId),
    );
  const dbInstances = (region: string): Api =>
    denied(
      { source: 'rds.amazonaws.com', name: 'DescribeDBInstances', readOnly: true, request: null },
      'rds:DescribeDBInstances',
      `arn:aws:rds:${region}:${PRODUCTION}:db:*`,
    );
  const instanceId = INSTANCES[0]?.id ?? 'i-0a1b2c3d4e5f67890';
  const encoded = sink.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 320);
  const passwordData = failed(
    { source: 'ec2.amazonaws.com', name: 'GetPasswordData', readOnly: true, request: { instanceId } },
    'Client.UnauthorizedOperation',
    `You are not authorized to perform this operation. ${notAuthorized(arn, 'ec2:GetPasswordData', `arn:aws:ec2:${PROD_REGION}:${PRODUCTION}:instance/${instanceId}`, SCP_DENY)}. Encoded authorization failure message: ${encoded}`,
  );
  burst(sink, caller, time, [
    [PROD_REGION, denied(listSecrets, 'secretsmanager:ListSecrets')],
    [GLOBAL_REGION, denied(listSecrets, 'secretsmanager:ListSecrets')],
    [PROD_REGION, getSecret('prod/webapp/db')],
    [PROD_REGION, getSecret('prod/stripe/api-key')],
    [PROD_REGION, getSecret('prod/webapp/jwt-signing-key')],
    [PROD_REGION, dbInstances(PROD_REGION)],
    [GLOBAL_REGION, dbInstances(GLOBAL_REGION)],
    [PROD_REGION, passwordData],
    [PROD_REGION, getSecret('prod/webapp/db')],
  ]);
}

/** e: GuardDuty's detector deleted; the account's own data-event trail stopped and emptied of selectors. */
export function disableDetection(sink: Sink, time: number, caller: Caller): void {
  const trailArn = `arn:aws:cloudtrail:${PROD_REGION}:${PRODUCTION}:trail/${PROD_TRAIL}`;
  const selectors: JsonObject[] = [
    {
      readWriteType: 'All',
      includeManagementEvents: false,
      dataResources: [],
      excludeManagementEventSources: [],
    },
  ];
  burst(sink, caller, time, [
    [
      PROD_REGION,
      { source: 'guardduty.amazonaws.com', name: 'ListDetectors', readOnly: true, request: null },
    ],
    [
      PROD_REGION,
      {
        source: 'guardduty.amazonaws.com',
        name: 'DeleteDetector',
        readOnly: false,
        request: { detectorId: GUARDDUTY_DETECTOR },
      },
    ],
    [
      PROD_REGION,
      {
        source: 'cloudtrail.amazonaws.com',
        name: 'DescribeTrails',
        readOnly: true,
        request: { trailNameList: [], includeShadowTrails: true },
      },
    ],
    [
      PROD_REGION,
      {
        source: 'cloudtrail.amazonaws.com',
        name: 'StopLogging',
        readOnly: false,
        request: { name: trailArn },
      },
    ],
    [
      PROD_REGION,
      {
        source: 'cloudtrail.amazonaws.com',
        name: 'PutEventSelectors',
        readOnly: false,
        request: { trailName: PROD_TRAIL, eventSelectors: selectors },
        response: { trailARN: trailArn, eventSelectors: selectors },
      },
    ],
  ]);
}

function bucketApi(sink: Sink, name: string, bucket: string, request: JsonObject): Api {
  const host = `${bucket}.s3.${PROD_REGION}.amazonaws.com`;
  return {
    source: 's3.amazonaws.com',
    name,
    readOnly: false,
    request: { bucketName: bucket, Host: host, ...request },
    additional: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: 0,
      AuthenticationMethod: 'AuthHeader',
      bytesTransferredOut: 0,
    },
    requestId: sink.rng.hex(16).toUpperCase(),
    host,
    resources: [{ accountId: PRODUCTION, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` }],
  };
}

/** f: the export bucket made public (block off, policy for Principal "*"), the backup bucket's block removed. */
export function exposeBucket(sink: Sink, time: number, caller: Caller): void {
  const bucket = BUCKETS.prodExports;
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicRead',
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
      },
    ],
  };
  const noBlock = {
    xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/',
    BlockPublicAcls: false,
    IgnorePublicAcls: false,
    BlockPublicPolicy: false,
    RestrictPublicBuckets: false,
  };
  burst(sink, caller, time, [
    [
      PROD_REGION,
      bucketApi(sink, 'PutBucketPublicAccessBlock', bucket, {
        publicAccessBlock: '',
        PublicAccessBlockConfiguration: noBlock,
      }),
    ],
    [PROD_REGION, bucketApi(sink, 'PutBucketPolicy', bucket, { bucketPolicy: policy, policy: '' })],
    [
      PROD_REGION,
      bucketApi(sink, 'DeleteBucketPublicAccessBlock', BUCKETS.prodBackups, { publicAccessBlock: '' }),
    ],
  ]);
}
