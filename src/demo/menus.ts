// What each kind of person does in a session: weighted menus of ordinary reads, writes and denied calls.
import { getObject, kmsDecryptForParameter, listBuckets, listObjects, putObject } from './api-data.js';
import {
  costAndUsage,
  EC2_DESCRIBE_NAMES,
  ec2Describe,
  getCallerIdentity,
  iamGetAccountSummary,
  iamListRoles,
  iamListUsers,
  lambdaGetFunctionConfiguration,
  lambdaListFunctions,
  logsDescribeLogGroups,
  logsFilterLogEvents,
  orgDescribeOrganization,
  orgListAccounts,
  ssmDescribeInstanceInformation,
  ssmGetParameter,
} from './api-control.js';
import { DAY, HOUR } from './format.js';
import { BUCKETS, DEVELOPMENT, GLOBAL_REGION, KMS_KEYS, MANAGEMENT, PRODUCTION } from './org.js';
import { failed, notAuthorized } from './record.js';
import { plain, type Action, type Menu, type SessionContext } from './session.js';

const BUCKETS_BY_ACCOUNT: Record<string, readonly string[]> = {
  [MANAGEMENT]: [BUCKETS.mgmtTerraform],
  [PRODUCTION]: [BUCKETS.prodAssets, BUCKETS.prodOrders, BUCKETS.prodArtifacts],
  [DEVELOPMENT]: [BUCKETS.devAssets, BUCKETS.devArtifacts],
};
const LOG_GROUPS = ['/aws/lambda/order-processor', '/webapp/application', '/aws/lambda/org-inventory'];
const OBJECT_KEYS = [
  'config/app.json',
  'config/feature-flags.json',
  'reports/2024/summary.csv',
  'static/logo.svg',
];

const bucketIn = (ctx: SessionContext): string =>
  ctx.rng.pick(BUCKETS_BY_ACCOUNT[ctx.account] ?? [BUCKETS.devAssets]);
const objectRef = (ctx: SessionContext, bucket = bucketIn(ctx)) => ({
  account: ctx.account,
  region: ctx.region,
  bucket,
  key: ctx.rng.pick(OBJECT_KEYS),
});

const describe = plain((ctx) => ec2Describe(ctx.rng.pick(EC2_DESCRIBE_NAMES)));
const whoAmI = plain(() => getCallerIdentity());
const buckets = plain((ctx) => listBuckets(ctx.rng));
const browse = plain((ctx) =>
  listObjects(ctx.rng, ctx.account, ctx.region, bucketIn(ctx), ctx.rng.pick(['', 'config/', 'reports/'])),
);
const download = plain((ctx) => getObject(ctx.rng, objectRef(ctx), ctx.rng.int(300, 90_000)));
const upload = plain((ctx) =>
  putObject(ctx.rng, objectRef(ctx, BUCKETS.devAssets), ctx.rng.int(300, 90_000)),
);
const logGroups = plain(() => logsDescribeLogGroups());
const searchLogs = plain((ctx) =>
  logsFilterLogEvents(ctx.rng.pick(LOG_GROUPS), ctx.time - ctx.rng.int(1, 24) * HOUR, ctx.time),
);
const functions = plain(() => lambdaListFunctions());
const functionConfig = plain(() => lambdaGetFunctionConfiguration('order-processor'));
const managedInstances = plain(() => ssmDescribeInstanceInformation());

/** A SecureString read: SSM calls KMS Decrypt on the caller's behalf. */
const readSecretParameter: Action = (ctx) => {
  const env = ctx.account === PRODUCTION ? 'prod' : 'dev';
  const name = `/webapp/${env}/db-password`;
  ctx.call(ssmGetParameter(name, true));
  const keyArn = ctx.account === PRODUCTION ? KMS_KEYS.prod : KMS_KEYS.dev;
  ctx.callVia(
    'ssm.amazonaws.com',
    kmsDecryptForParameter(keyArn, `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter${name}`),
  );
};

const deniedParameter = plain((ctx) => {
  const resource = `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/webapp/prod/db-password`;
  return failed(
    ssmGetParameter('/webapp/prod/db-password', true),
    'AccessDeniedException',
    notAuthorized(ctx.arn, 'ssm:GetParameter', resource),
  );
});
const deniedExport = plain((ctx) =>
  failed(getObject(ctx.rng, objectRef(ctx, BUCKETS.prodExports), 0), 'AccessDenied', 'Access Denied'),
);
const deniedCreateRole = plain((ctx) => ({
  ...failed(
    {
      source: 'iam.amazonaws.com',
      name: 'CreateRole',
      readOnly: false,
      region: GLOBAL_REGION,
      request: {
        roleName: 'test-lambda-role',
        assumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
      },
    },
    'AccessDenied',
    notAuthorized(ctx.arn, 'iam:CreateRole', `arn:aws:iam::${ctx.account}:role/test-lambda-role`),
  ),
}));

export const ADMIN_MENU: Menu = [
  [describe, 7],
  [buckets, 2],
  [browse, 2],
  [download, 1],
  [logGroups, 2],
  [searchLogs, 3],
  [functions, 2],
  [plain(() => iamListRoles()), 1],
  [whoAmI, 1],
  [readSecretParameter, 1],
  [managedInstances, 1],
];

export const READ_ONLY_MENU: Menu = [
  [describe, 6],
  [browse, 2],
  [download, 2],
  [logGroups, 2],
  [searchLogs, 4],
  [functions, 1],
  [functionConfig, 1],
  [deniedParameter, 0.35],
  [deniedExport, 0.25],
];

export const DEVELOPER_MENU: Menu = [
  [describe, 4],
  [browse, 2],
  [download, 2],
  [upload, 1],
  [logGroups, 1],
  [searchLogs, 4],
  [functions, 2],
  [functionConfig, 2],
  [readSecretParameter, 1],
  [whoAmI, 1],
  [deniedCreateRole, 0.3],
];

export const CLI_MENU: Menu = [
  [whoAmI, 2],
  [buckets, 2],
  [describe, 5],
  [logGroups, 1],
  [searchLogs, 2],
  [plain(() => orgListAccounts()), 1],
];

export const CONSOLE_ADMIN_MENU: Menu = [
  [plain(() => iamListUsers()), 2],
  [plain(() => iamListRoles()), 2],
  [plain(() => iamGetAccountSummary()), 1],
  [plain(() => orgListAccounts()), 1],
  [plain(() => orgDescribeOrganization()), 1],
  [describe, 3],
  [
    plain((ctx) =>
      costAndUsage(
        new Date(ctx.time - 30 * DAY).toISOString().slice(0, 10),
        new Date(ctx.time).toISOString().slice(0, 10),
      ),
    ),
    1,
  ],
];
