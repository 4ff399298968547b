// The fictional Acme organization the demo trail describes: accounts, people, roles and resources.
import { stableId } from './random.js';

export const ORG_ID = 'o-a1b2c3d4e5';
export const TRAIL_BUCKET = 'acme-org-cloudtrail-logs';
export const TRAIL_NAME = 'acme-org-trail';
export const TRAIL_HOME_REGION = 'us-east-1';

export const MANAGEMENT = '111111111111';
export const PRODUCTION = '222222222222';
export const DEVELOPMENT = '333333333333';
export const ACCOUNTS = [MANAGEMENT, PRODUCTION, DEVELOPMENT] as const;
export const MANAGEMENT_ALIAS = 'acme-mgmt';

export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'] as const;
/** IAM, global STS, S3 ListBuckets and console sign-in are logged here. */
export const GLOBAL_REGION = 'us-east-1';
export const PROD_REGION = 'eu-west-1';
export const DEV_REGION = 'us-west-2';

export interface RoleRef {
  account: string;
  name: string;
  /** `/` for ordinary roles, `/aws-reserved/sso.amazonaws.com/` for Identity Center roles. */
  path: string;
  roleId: string;
}

export interface UserRef {
  account: string;
  name: string;
  userId: string;
}

const role = (account: string, name: string, path = '/'): RoleRef => ({
  account,
  name,
  path,
  roleId: stableId('AROA', `${account}/${name}`),
});
const user = (account: string, name: string): UserRef => ({
  account,
  name,
  userId: stableId('AIDA', `${account}/${name}`),
});

const SSO_PATH = '/aws-reserved/sso.amazonaws.com/';
export const ROLES = {
  ssoAdminMgmt: role(MANAGEMENT, 'AWSReservedSSO_AdministratorAccess_3a01b2c3d4e5f607', SSO_PATH),
  ssoAdminProd: role(PRODUCTION, 'AWSReservedSSO_AdministratorAccess_7c1d2e3f4a5b6c70', SSO_PATH),
  ssoReadOnlyProd: role(PRODUCTION, 'AWSReservedSSO_ReadOnlyAccess_91e8d7c6b5a4f302', SSO_PATH),
  ssoDeveloperDev: role(DEVELOPMENT, 'AWSReservedSSO_DeveloperAccess_5e4f3a2b1c0d9e81', SSO_PATH),
  githubActions: role(MANAGEMENT, 'github-actions'),
  deployerProd: role(PRODUCTION, 'deployer'),
  deployerDev: role(DEVELOPMENT, 'deployer'),
  webappInstance: role(PRODUCTION, 'webapp-instance-role'),
  devAppInstance: role(DEVELOPMENT, 'dev-app-instance-role'),
  orderProcessor: role(PRODUCTION, 'order-processor-role'),
  orgInventory: role(MANAGEMENT, 'org-inventory-role'),
  orgAccessProd: role(PRODUCTION, 'OrganizationAccountAccessRole'),
} as const;

export const USERS = {
  bob: user(MANAGEMENT, 'bob'),
  dana: user(MANAGEMENT, 'dana'),
  erik: user(MANAGEMENT, 'erik'),
  backupAgent: user(PRODUCTION, 'backup-agent'),
  backupAdmin: user(MANAGEMENT, 'backup-admin'),
} as const;

export interface Person {
  email: string;
  ip: string;
  os: string;
}

export const PEOPLE = {
  alice: { email: 'alice@acme.example', ip: '198.51.100.23', os: 'macos#14.4.1' },
  carlos: { email: 'carlos@acme.example', ip: '192.0.2.87', os: 'linux#6.5.0-27-generic' },
  priya: { email: 'priya@acme.example', ip: '198.51.100.41', os: 'macos#13.6.6' },
} as const satisfies Record<string, Person>;

/** Where people and machines call from; documentation ranges stand in for office and home addresses. */
export const IPS = {
  bob: '198.51.100.57',
  dana: '198.51.100.12',
  erik: '192.0.2.140',
  datacenter: '198.51.100.200',
  attacker: '203.0.113.77',
  prodNat: '52.49.117.203',
  devNat: '44.231.18.96',
  prodLambda: '3.251.94.12',
  mgmtLambda: '3.92.171.40',
  githubRunners: ['20.57.79.14', '20.85.142.33', '4.227.183.201', '172.183.81.9'],
} as const;

export interface Instance {
  id: string;
  account: string;
  region: string;
  role: RoleRef;
  privateIp: string;
  az: string;
  natIp: string;
}

export const INSTANCES: readonly Instance[] = [
  {
    id: 'i-0a1b2c3d4e5f67890',
    account: PRODUCTION,
    region: PROD_REGION,
    role: ROLES.webappInstance,
    privateIp: '10.20.1.15',
    az: 'eu-west-1a',
    natIp: IPS.prodNat,
  },
  {
    id: 'i-0f9e8d7c6b5a43210',
    account: PRODUCTION,
    region: PROD_REGION,
    role: ROLES.webappInstance,
    privateIp: '10.20.2.31',
    az: 'eu-west-1b',
    natIp: IPS.prodNat,
  },
  {
    id: 'i-0123456789abcdef0',
    account: DEVELOPMENT,
    region: DEV_REGION,
    role: ROLES.devAppInstance,
    privateIp: '10.30.1.9',
    az: 'us-west-2a',
    natIp: IPS.devNat,
  },
];

export const KMS_KEYS = {
  prod: `arn:aws:kms:${PROD_REGION}:${PRODUCTION}:key/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f`,
  dev: `arn:aws:kms:${DEV_REGION}:${DEVELOPMENT}:key/0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a`,
} as const;

export const BUCKETS = {
  mgmtTerraform: 'acme-mgmt-terraform-state',
  prodAssets: 'acme-prod-assets',
  prodOrders: 'acme-prod-orders',
  prodArtifacts: 'acme-prod-artifacts',
  prodExports: 'acme-prod-customer-exports',
  prodBackups: 'acme-prod-backups',
  devArtifacts: 'acme-dev-artifacts',
  devAssets: 'acme-dev-assets',
} as const;

/** The production network the attacker opens up. */
export const PROD_NETWORK = {
  vpcId: 'vpc-0c4f1e2d3a5b6c7d8',
  dbRouteAssociationId: 'rtbassoc-0a7e6d5c4b3a29180',
  networkAclId: 'acl-0e1d2c3b4a5968778',
  dbSecurityGroupId: 'sg-0b2c3d4e5f6a7b8c9',
} as const;

export const GUARDDUTY_DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
/** The production account's own trail (for S3 data events); members cannot stop the organization trail. */
export const PROD_TRAIL = 'prod-data-events';
export const SAML_PROVIDER = 'AWSSSO_5c2a1e7f9b3d4e60_DO_NOT_DELETE';
export const GITHUB_OIDC = 'token.actions.githubusercontent.com';
