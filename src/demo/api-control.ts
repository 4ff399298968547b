// Control-plane reads people and machines make all day: EC2 Describe*, SSM, Logs, Lambda, IAM, STS.
import type { JsonObject } from '../domain/json.js';
import { GLOBAL_REGION } from './org.js';
import type { Api } from './record.js';

const read = (source: string, name: string, request: JsonObject | null = null): Api => ({
  source: `${source}.amazonaws.com`,
  name,
  readOnly: true,
  request,
});

/** EC2 logs empty `…Set` objects for list arguments that were not given. */
const EC2_DESCRIBES: Record<string, JsonObject> = {
  DescribeInstances: { instancesSet: {}, filterSet: {} },
  DescribeSecurityGroups: { securityGroupSet: {}, securityGroupIdSet: {}, filterSet: {} },
  DescribeVpcs: { vpcSet: {}, filterSet: {} },
  DescribeSubnets: { subnetSet: {}, filterSet: {} },
  DescribeVolumes: { volumeSet: {}, filterSet: {} },
  DescribeRegions: { regionSet: {} },
  DescribeAvailabilityZones: { availabilityZoneSet: {}, availabilityZoneIdSet: {} },
};
export const EC2_DESCRIBE_NAMES = Object.keys(EC2_DESCRIBES);

export const ec2Describe = (name: string): Api => read('ec2', name, EC2_DESCRIBES[name] ?? {});

export const getCallerIdentity = (): Api => read('sts', 'GetCallerIdentity');

export const ssmGetParameter = (name: string, withDecryption: boolean): Api =>
  read('ssm', 'GetParameter', { name, withDecryption });

export const ssmDescribeInstanceInformation = (): Api =>
  read('ssm', 'DescribeInstanceInformation', { maxResults: 50 });

/** The SSM agent's heartbeat, made with the instance's own role session. */
export function ssmUpdateInstanceInformation(
  instanceId: string,
  privateIp: string,
  region: string,
  az: string,
): Api {
  return {
    source: 'ssm.amazonaws.com',
    name: 'UpdateInstanceInformation',
    readOnly: false,
    request: {
      instanceId,
      agentVersion: '3.3.418.0',
      agentStatus: 'Active',
      platformType: 'Linux',
      platformName: 'Amazon Linux',
      platformVersion: '2023',
      iPAddress: privateIp,
      computerName: `ip-${privateIp.replaceAll('.', '-')}.${region}.compute.internal`,
      agentName: 'amazon-ssm-agent',
      availabilityZone: az,
    },
  };
}

export const logsDescribeLogGroups = (): Api => read('logs', 'DescribeLogGroups', { limit: 50 });

export const logsFilterLogEvents = (logGroupName: string, startTime: number, endTime: number): Api =>
  read('logs', 'FilterLogEvents', { logGroupName, startTime, endTime, interleaved: true });

export const logsCreateLogStream = (logGroupName: string, logStreamName: string): Api => ({
  source: 'logs.amazonaws.com',
  name: 'CreateLogStream',
  readOnly: false,
  request: { logGroupName, logStreamName },
});

export const lambdaListFunctions = (): Api => ({ ...read('lambda', 'ListFunctions20150331'), request: null });
export const lambdaGetFunctionConfiguration = (functionName: string): Api =>
  read('lambda', 'GetFunctionConfiguration20150331v2', { functionName });

export function lambdaUpdateFunctionCode(functionArn: string, bucket: string, key: string, sha: string): Api {
  return {
    source: 'lambda.amazonaws.com',
    name: 'UpdateFunctionCode20150331v2',
    readOnly: false,
    request: { functionName: functionArn, s3Bucket: bucket, s3Key: key, publish: true },
    response: {
      functionName: functionArn.split(':').at(-1) ?? '',
      functionArn,
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      codeSha256: sha,
      version: '$LATEST',
      state: 'Active',
      lastUpdateStatus: 'InProgress',
    },
  };
}

const iamRead = (name: string, request: JsonObject | null = null): Api => ({
  ...read('iam', name, request),
  region: GLOBAL_REGION,
});
export const iamListUsers = (): Api => iamRead('ListUsers');
export const iamListRoles = (): Api => iamRead('ListRoles');
export const iamGetAccountSummary = (): Api => iamRead('GetAccountSummary');
export const iamListMfaDevices = (): Api => iamRead('ListMFADevices');
export const iamGetUser = (userName: string): Api => iamRead('GetUser', { userName });

export const orgListAccounts = (): Api => ({
  ...read('organizations', 'ListAccounts'),
  region: GLOBAL_REGION,
});
export const orgDescribeOrganization = (): Api => ({
  ...read('organizations', 'DescribeOrganization'),
  region: GLOBAL_REGION,
});

export function costAndUsage(startDay: string, endDay: string): Api {
  return {
    ...read('ce', 'GetCostAndUsage', {
      timePeriod: { start: startDay, end: endDay },
      granularity: 'DAILY',
      metrics: ['UnblendedCost'],
      groupBy: [{ type: 'DIMENSION', key: 'SERVICE' }],
    }),
    region: GLOBAL_REGION,
  };
}
