// GitHub Actions deployments: OIDC into the management account, then a cross-account AssumeRole to deploy.
import { cliAgent } from './agents.js';
import { kmsGenerateDataKeyForObject, lambdaInvoke, putObject } from './api-data.js';
import {
  getCallerIdentity,
  lambdaGetFunctionConfiguration,
  lambdaUpdateFunctionCode,
} from './api-control.js';
import { SECOND } from './format.js';
import { arnOf, roleSessionIdentity, type Caller } from './identities.js';
import {
  BUCKETS,
  DEV_REGION,
  DEVELOPMENT,
  IPS,
  KMS_KEYS,
  MANAGEMENT,
  PROD_REGION,
  PRODUCTION,
  ROLES,
} from './org.js';
import { notAuthorized, type Sink } from './record.js';
import { officeWeight, sampleTimes } from './schedule.js';
import { contextAt } from './session.js';
import { assumeRole, assumeRoleWithWebIdentity } from './sts.js';

const RUNNER_AGENT = cliAgent('linux#6.5.0-1025-azure');

interface Target {
  account: string;
  region: string;
  subject: string;
  artifacts: string;
  keyArn: string;
}

const TARGETS: readonly (readonly [Target, number])[] = [
  [
    {
      account: DEVELOPMENT,
      region: DEV_REGION,
      subject: 'repo:acme/webapp:ref:refs/heads/develop',
      artifacts: BUCKETS.devArtifacts,
      keyArn: KMS_KEYS.dev,
    },
    3,
  ],
  [
    {
      account: PRODUCTION,
      region: PROD_REGION,
      subject: 'repo:acme/webapp:environment:production',
      artifacts: BUCKETS.prodArtifacts,
      keyArn: KMS_KEYS.prod,
    },
    2,
  ],
];

function deployRun(sink: Sink, from: number, target: Target): void {
  const ip = sink.rng.pick(IPS.githubRunners);
  const ci = assumeRoleWithWebIdentity(sink, from, ROLES.githubActions, target.subject, ip, target.region);
  const ciCaller: Caller = {
    identity: roleSessionIdentity(ci.session),
    sourceIp: ip,
    userAgent: RUNNER_AGENT,
  };
  const runId = sink.rng.int(8_000_000_000, 9_999_999_999);
  const deployer = target.account === PRODUCTION ? ROLES.deployerProd : ROLES.deployerDev;
  // Pull-request builds are not trusted by the deployer role: an ordinary AccessDenied.
  const isDenied = sink.rng.chance(0.06);
  const deploy = assumeRole(
    sink,
    { time: from + 4 * SECOND, caller: ciCaller, account: MANAGEMENT, region: target.region },
    {
      role: deployer,
      sessionName: `gha-${runId}`,
      ...(isDenied
        ? {
            error: {
              code: 'AccessDenied',
              message: notAuthorized(
                arnOf(ciCaller),
                'sts:AssumeRole',
                `arn:aws:iam::${target.account}:role/deployer`,
              ),
            },
          }
        : {}),
    },
  );
  if (isDenied) return;

  const caller: Caller = {
    identity: roleSessionIdentity(deploy.session),
    sourceIp: ip,
    userAgent: RUNNER_AGENT,
  };
  let time = from + 6 * SECOND;
  const next = (seconds: number) =>
    contextAt(sink, caller, target.account, target.region, (time += seconds * SECOND));
  const functionArn = `arn:aws:lambda:${target.region}:${target.account}:function:order-processor`;
  const key = `order-processor/${runId}.zip`;
  next(1).call(getCallerIdentity());
  const ref = { account: target.account, region: target.region, bucket: target.artifacts, key };
  const upload = next(sink.rng.int(20, 90));
  upload.call(putObject(sink.rng, ref, sink.rng.int(2_000_000, 9_000_000), target.keyArn));
  upload.callVia('s3.amazonaws.com', kmsGenerateDataKeyForObject(target.keyArn, target.artifacts, key));
  next(3).call(
    lambdaUpdateFunctionCode(
      functionArn,
      target.artifacts,
      key,
      `${sink.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 43)}=`,
    ),
  );
  for (let i = sink.rng.int(1, 3); i > 0; i--) next(5).call(lambdaGetFunctionConfiguration(functionArn));
  next(4).call(lambdaInvoke(functionArn));
}

export function generateCi(sink: Sink): void {
  for (const from of sampleTimes(sink.rng, sink.start, sink.end, 12, officeWeight)) {
    deployRun(sink, from, sink.rng.weighted(TARGETS));
  }
}
