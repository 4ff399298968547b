// Machines that run around the clock: EC2 instance profiles, Lambda functions and a backup agent's IAM key.
import { BACKUP_AGENT, BOTO3_LAMBDA, JAVA_SDK, NODE_LAMBDA, SSM_AGENT } from './agents.js';
import {
  getObject,
  kmsDecryptForParameter,
  kmsGenerateDataKeyForObject,
  lambdaInvoke,
  listObjects,
  putObject,
} from './api-data.js';
import {
  ec2Describe,
  getCallerIdentity,
  logsCreateLogStream,
  orgListAccounts,
  ssmGetParameter,
  ssmUpdateInstanceInformation,
} from './api-control.js';
import { DAY, HOUR, MINUTE, SECOND, datePath } from './format.js';
import {
  iamUserIdentity,
  instanceSessionIdentity,
  lambdaSessionIdentity,
  type Caller,
} from './identities.js';
import {
  BUCKETS,
  GLOBAL_REGION,
  INSTANCES,
  IPS,
  KMS_KEYS,
  PROD_REGION,
  PRODUCTION,
  ROLES,
  USERS,
  type Instance,
} from './org.js';
import { forkSink, type Sink } from './record.js';
import { sampleTimes, ticks, trafficWeight } from './schedule.js';
import { contextAt, type SessionContext } from './session.js';
import { newLongTermKey, serviceAssumeRole, type Minted } from './sts.js';

export const ORDER_PROCESSOR_ARN = `arn:aws:lambda:${PROD_REGION}:${PRODUCTION}:function:order-processor`;
const ORG_INVENTORY_ARN = `arn:aws:lambda:${GLOBAL_REGION}:${ROLES.orgInventory.account}:function:org-inventory`;
const CREDENTIAL_LIFETIME = 6 * HOUR;

/** The role session that is current at `time`, from sessions issued in time order. */
function sessionAt<T extends { session: { createdAt: number } }>(
  sessions: readonly T[],
  time: number,
): T | undefined {
  return sessions.findLast((s) => s.session.createdAt <= time);
}

/** EC2 renews instance-profile credentials every few hours; each renewal is an AssumeRole by ec2.amazonaws.com. */
function instance(sink: Sink, box: Instance): number[] {
  const first = sink.start + sink.rng.int(1, 20) * MINUTE;
  const sessions: Minted[] = ticks(sink.rng, first, sink.end, CREDENTIAL_LIFETIME, 10 * MINUTE).map((t) =>
    serviceAssumeRole(sink, t, 'ec2.amazonaws.com', box.role, box.id, box.region),
  );
  const ctxAt = (time: number, userAgent: string): SessionContext | undefined => {
    const current = sessionAt(sessions, time);
    if (!current) return undefined;
    const caller: Caller = {
      identity: instanceSessionIdentity(current.session, box.region),
      sourceIp: box.natIp,
      userAgent,
    };
    return contextAt(sink, caller, box.account, box.region, time);
  };
  const isProd = box.account === PRODUCTION;
  const assets = isProd ? BUCKETS.prodAssets : BUCKETS.devAssets;
  const keyArn = isProd ? KMS_KEYS.prod : KMS_KEYS.dev;
  const parameter = `/webapp/${isProd ? 'prod' : 'dev'}/db-password`;

  for (const t of ticks(sink.rng, first + MINUTE, sink.end, 15 * MINUTE, 2 * MINUTE)) {
    ctxAt(t, SSM_AGENT)?.call(ssmUpdateInstanceInformation(box.id, box.privateIp, box.region, box.az));
  }
  for (const t of ticks(sink.rng, first + 2 * MINUTE, sink.end, 30 * MINUTE, 5 * MINUTE)) {
    const ref = { account: box.account, region: box.region, bucket: assets, key: 'config/app.json' };
    ctxAt(t, JAVA_SDK)?.call(getObject(sink.rng, ref, 2_418));
  }
  for (const t of ticks(sink.rng, first + 3 * MINUTE, sink.end, HOUR, 10 * MINUTE)) {
    const ctx = ctxAt(t, JAVA_SDK);
    ctx?.call(ssmGetParameter(parameter, true));
    ctx?.callVia(
      'ssm.amazonaws.com',
      kmsDecryptForParameter(keyArn, `arn:aws:ssm:${box.region}:${box.account}:parameter${parameter}`),
    );
  }
  for (const session of sessions) {
    ctxAt(session.session.createdAt + 30 * SECOND, JAVA_SDK)?.call(
      logsCreateLogStream('/webapp/application', `${box.id}/${datePath(session.session.createdAt)}`),
    );
  }
  if (!isProd) return [];
  const invokes = sampleTimes(sink.rng, first + 5 * MINUTE, sink.end, 45, trafficWeight);
  for (const t of invokes) ctxAt(t, JAVA_SDK)?.call(lambdaInvoke(ORDER_PROCESSOR_ARN));
  return invokes;
}

/** order-processor writes each order to S3 with SSE-KMS; Lambda renews its role session on cold starts. */
function orderProcessor(sink: Sink, invokes: readonly number[]): void {
  const sessions: Minted[] = [];
  for (const t of invokes) {
    const last = sessions.at(-1);
    if (!last || t - last.session.createdAt > sink.rng.int(2, 5) * HOUR) {
      sessions.push(
        serviceAssumeRole(
          sink,
          t,
          'lambda.amazonaws.com',
          ROLES.orderProcessor,
          'order-processor',
          PROD_REGION,
        ),
      );
    }
    const current = sessionAt(sessions, t);
    if (!current) continue;
    const caller: Caller = {
      identity: lambdaSessionIdentity(current.session, ORDER_PROCESSOR_ARN),
      sourceIp: IPS.prodLambda,
      userAgent: NODE_LAMBDA,
    };
    const ctx = contextAt(sink, caller, PRODUCTION, PROD_REGION, t + sink.rng.int(1, 3) * SECOND);
    const key = `orders/${datePath(t)}/${sink.rng.uuid()}.json`;
    ctx.call(
      putObject(
        sink.rng,
        { account: PRODUCTION, region: PROD_REGION, bucket: BUCKETS.prodOrders, key },
        sink.rng.int(900, 6_000),
        KMS_KEYS.prod,
      ),
    );
    ctx.callVia('s3.amazonaws.com', kmsGenerateDataKeyForObject(KMS_KEYS.prod, BUCKETS.prodOrders, key));
  }
}

/** An hourly inventory function in the management account. */
function orgInventory(sink: Sink): void {
  const runs = ticks(sink.rng, sink.start + sink.rng.int(0, 59) * MINUTE, sink.end, HOUR, 2 * MINUTE);
  let current: Minted | undefined;
  for (const t of runs) {
    if (!current || t - current.session.createdAt > 4 * HOUR) {
      current = serviceAssumeRole(
        sink,
        t,
        'lambda.amazonaws.com',
        ROLES.orgInventory,
        'org-inventory',
        GLOBAL_REGION,
      );
    }
    const caller: Caller = {
      identity: lambdaSessionIdentity(current.session, ORG_INVENTORY_ARN),
      sourceIp: IPS.mgmtLambda,
      userAgent: BOTO3_LAMBDA,
    };
    const ctx = (offset: number) =>
      contextAt(sink, caller, ROLES.orgInventory.account, GLOBAL_REGION, t + offset * SECOND);
    ctx(1).call(getCallerIdentity());
    ctx(2).call(orgListAccounts());
    ctx(3).call(ec2Describe('DescribeRegions'));
  }
}

/** A restic job in the data centre pushes nightly backups with a long-term IAM user key. */
function backupAgent(sink: Sink): void {
  const caller: Caller = {
    identity: iamUserIdentity(USERS.backupAgent, newLongTermKey(sink.rng.fork('key'))),
    sourceIp: IPS.datacenter,
    userAgent: BACKUP_AGENT,
  };
  const firstNight = Math.ceil(sink.start / DAY) * DAY + 2 * HOUR;
  for (let night = firstNight; night < sink.end; night += DAY) {
    const ctx = (time: number) => contextAt(sink, caller, PRODUCTION, PROD_REGION, time);
    let time = night + sink.rng.int(0, 9) * MINUTE;
    ctx(time).call(
      listObjects(sink.rng, PRODUCTION, PROD_REGION, BUCKETS.prodBackups, `snapshots/${datePath(night)}/`),
    );
    for (let i = sink.rng.int(8, 15); i > 0; i--) {
      time += sink.rng.int(5, 40) * SECOND;
      const key = `data/${sink.rng.hex(2)}/${sink.rng.hex(64)}`;
      ctx(time).call(
        putObject(
          sink.rng,
          { account: PRODUCTION, region: PROD_REGION, bucket: BUCKETS.prodBackups, key },
          sink.rng.int(4_000_000, 16_777_216),
        ),
      );
    }
  }
}

export function generateWorkloads(sink: Sink): void {
  const invokes = INSTANCES.flatMap((box, i) => instance(forkSink(sink, `instance-${i}`), box)).sort(
    (a, b) => a - b,
  );
  orderProcessor(forkSink(sink, 'order-processor'), invokes);
  orgInventory(forkSink(sink, 'org-inventory'));
  backupAgent(forkSink(sink, 'backup-agent'));
}
