import { describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import type { JsonObject } from '../../src/domain/json.js';
import { at, END, recordsOf, text } from './helpers.js';

const trail = generateDemoTrail({ end: END });
const records = recordsOf(trail);
const byId = new Map(records.map((r) => [text(r, 'eventID'), r]));
const MGMT = '111111111111';
const PROD = '222222222222';
const SESSION1 = 'arn:aws:sts::222222222222:assumed-role/OrganizationAccountAccessRole/session1';

function stepRecords(step: string): JsonObject[] {
  const found = trail.scenario.find((s) => s.step === step);
  return (found?.eventIds ?? []).map((id) => byId.get(id) ?? {});
}
const one = (step: string, eventName: string): JsonObject | undefined =>
  stepRecords(step).find((r) => r['eventName'] === eventName);
const time = (r: JsonObject | undefined): number => Date.parse(text(r, 'eventTime'));

const EXPECTED: [string, string, string[]][] = [
  ['a', MGMT, ['ConsoleLogin']],
  ['b', MGMT, ['CreateUser', 'CreateAccessKey', 'AttachUserPolicy']],
  ['c', MGMT, ['GetCallerIdentity', 'AssumeRole']],
  ['d', PROD, ['ListSecrets', 'GetSecretValue', 'DescribeDBInstances', 'GetPasswordData']],
  ['e', PROD, ['ListDetectors', 'DeleteDetector', 'DescribeTrails', 'StopLogging', 'PutEventSelectors']],
  ['f', PROD, ['PutBucketPublicAccessBlock', 'PutBucketPolicy', 'DeleteBucketPublicAccessBlock']],
  [
    'g',
    PROD,
    [
      'CreateVpc',
      'CreateInternetGateway',
      'AttachInternetGateway',
      'CreateRouteTable',
      'CreateRoute',
      'ReplaceRouteTableAssociation',
      'CreateNetworkAclEntry',
      'AuthorizeSecurityGroupIngress',
    ],
  ],
  ['h', MGMT, ['CreateLoginProfile', 'AssumeRole', 'GetCallerIdentity', 'ListBuckets']],
];

describe('the demo attack scenario', () => {
  it('lists steps a–h in order, each with its exact event names, in the right account', () => {
    expect(trail.scenario.map((s) => [s.step, s.account, s.eventNames])).toEqual(EXPECTED);
    let previousEnd = END - 6 * 3_600_000;
    for (const step of trail.scenario) {
      const found = stepRecords(step.step);
      expect(found.map((r) => r['eventID'])).toEqual(step.eventIds);
      expect(new Set(found.map((r) => r['eventName']))).toEqual(new Set(step.eventNames));
      expect(found.some((r) => r['recipientAccountId'] === step.account)).toBe(true);
      const times = found.map(time);
      expect(Math.min(...times)).toBeGreaterThan(previousEnd);
      previousEnd = Math.max(...times);
    }
    expect(previousEnd).toBeLessThan(END - 60 * 60_000);
  });

  it('a: bob signs in without MFA from an address nobody used before', () => {
    const login = one('a', 'ConsoleLogin');
    expect(text(login, 'userIdentity.arn')).toBe(`arn:aws:iam::${MGMT}:user/bob`);
    expect(text(login, 'additionalEventData.MFAUsed')).toBe('No');
    expect(text(login, 'responseElements.ConsoleLogin')).toBe('Success');
    const ip = text(login, 'sourceIPAddress');
    expect(records.filter((r) => r['sourceIPAddress'] === ip && time(r) < time(login))).toEqual([]);
  });

  it('b → c → d–g: the created key assumes session1, whose key makes every later production call', () => {
    expect(at(one('b', 'AttachUserPolicy'), 'requestParameters.policyArn')).toBe(
      'arn:aws:iam::aws:policy/AdministratorAccess',
    );
    const createdKey = text(one('b', 'CreateAccessKey'), 'responseElements.accessKey.accessKeyId');
    expect(createdKey).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const [callerCopy, ownerCopy] = stepRecords('c').filter((r) => r['eventName'] === 'AssumeRole');
    expect(text(callerCopy, 'userIdentity.accessKeyId')).toBe(createdKey);
    expect(text(callerCopy, 'requestParameters.roleArn')).toBe(
      `arn:aws:iam::${PROD}:role/OrganizationAccountAccessRole`,
    );
    expect(text(callerCopy, 'requestParameters.roleSessionName')).toBe('session1');
    expect(callerCopy?.['recipientAccountId']).toBe(MGMT);
    expect(ownerCopy?.['recipientAccountId']).toBe(PROD);
    expect(at(ownerCopy, 'userIdentity')).toEqual({
      type: 'AWSAccount',
      principalId: text(callerCopy, 'userIdentity.principalId'),
      accountId: MGMT,
    });
    expect(text(ownerCopy, 'sharedEventID')).toBe(text(callerCopy, 'sharedEventID'));
    expect(text(ownerCopy, 'sharedEventID')).not.toBe('');
    expect(ownerCopy?.['eventID']).not.toBe(callerCopy?.['eventID']);
    const sessionKey = text(callerCopy, 'responseElements.credentials.accessKeyId');
    expect(sessionKey).toMatch(/^ASIA/);
    const later = ['d', 'e', 'f', 'g'].flatMap(stepRecords);
    expect(later.length).toBeGreaterThan(20);
    for (const r of later) {
      expect(text(r, 'userIdentity.accessKeyId')).toBe(sessionKey);
      expect(text(r, 'userIdentity.arn')).toBe(SESSION1);
      expect(r['recipientAccountId']).toBe(PROD);
    }
  });

  it('d: every probe is denied with the real authorization message', () => {
    for (const r of stepRecords('d')) {
      expect(['AccessDenied', 'Client.UnauthorizedOperation']).toContain(r['errorCode']);
      expect(text(r, 'errorMessage')).toContain(`User: ${SESSION1} is not authorized to perform: `);
    }
    expect(one('d', 'GetPasswordData')?.['errorCode']).toBe('Client.UnauthorizedOperation');
  });

  it('f: the bucket policy grants Principal "*" and the public access block is all false', () => {
    expect(at(one('f', 'PutBucketPolicy'), 'requestParameters.bucketPolicy.Statement')).toEqual([
      expect.objectContaining({ Effect: 'Allow', Principal: '*' }),
    ]);
    expect(
      at(one('f', 'PutBucketPublicAccessBlock'), 'requestParameters.PublicAccessBlockConfiguration'),
    ).toMatchObject({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
  });

  it('g: the route and the security group open the network to 0.0.0.0/0', () => {
    const igw = text(one('g', 'CreateInternetGateway'), 'responseElements.internetGateway.internetGatewayId');
    expect(at(one('g', 'CreateRoute'), 'requestParameters')).toMatchObject({
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw,
    });
    const permissions = at(
      one('g', 'AuthorizeSecurityGroupIngress'),
      'requestParameters.ipPermissions.items',
    );
    expect(permissions).toEqual([
      expect.objectContaining({
        ipProtocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
      }),
      expect.objectContaining({
        ipProtocol: 'tcp',
        fromPort: 3389,
        toPort: 3389,
        ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
      }),
    ]);
    for (const r of stepRecords('g')) expect(text(r, 'responseElements.requestId')).toBe(r['requestID']);
  });

  it('h: a login profile for backup-admin and a session named after alice that still leads to backup-admin', () => {
    expect(text(one('h', 'CreateLoginProfile'), 'requestParameters.userName')).toBe('backup-admin');
    const copies = stepRecords('h').filter((r) => r['eventName'] === 'AssumeRole');
    expect(copies.map((r) => text(r, 'requestParameters.roleSessionName'))).toEqual([
      'alice@acme.example',
      'alice@acme.example',
    ]);
    const owner = copies.find((r) => r['recipientAccountId'] === PROD);
    expect(text(owner, 'userIdentity.principalId')).toBe(
      text(one('b', 'CreateUser'), 'responseElements.user.userId'),
    );
  });
});
