// The predicates of the exfiltration and impact rules, on small request shapes.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import {
  opensAdminPortToWorld,
  resourcePolicyGrantsPublicAccess,
  s3BucketInForeignAccount,
  s3KmsKeyInForeignAccount,
} from '../../src/rules/predicates/exfiltration-impact.js';

const statement = (extra: JsonObject = {}): JsonObject => ({
  Effect: 'Allow',
  Principal: '*',
  Action: 'sqs:SendMessage',
  Resource: '*',
  ...extra,
});
const doc = (...Statement: JsonObject[]): JsonObject => ({ Version: '2012-10-17', Statement });
const isPublic = (requestParameters: JsonObject): boolean =>
  resourcePolicyGrantsPublicAccess.test({ requestParameters });

describe('resource-policy-grants-public-access', () => {
  it('holds for the keys the shared predicate reads (bucket, key, repository, secret policies)', () => {
    expect(isPublic({ bucketPolicy: doc(statement()) })).toBe(true);
    expect(isPublic({ policyText: JSON.stringify(doc(statement())) })).toBe(true);
  });

  it('holds for SQS / SNS attributes, SNS SetTopicAttributes, OpenSearch and Glacier policies', () => {
    expect(isPublic({ attributes: { Policy: doc(statement()) } })).toBe(true);
    expect(isPublic({ attributes: { Policy: JSON.stringify(doc(statement())) } })).toBe(true);
    expect(isPublic({ attributeName: 'Policy', attributeValue: JSON.stringify(doc(statement())) })).toBe(
      true,
    );
    expect(isPublic({ accessPolicies: doc(statement({ Principal: { AWS: '*' } })) })).toBe(true);
    expect(isPublic({ policy: { policy: JSON.stringify(doc(statement())) } })).toBe(true);
  });

  it('does not hold when a condition limits the wildcard to an organisation, account or network', () => {
    const limited = statement({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } });
    expect(isPublic({ attributes: { Policy: doc(limited) } })).toBe(false);
    // one unconditioned statement next to a limited one is still public
    expect(isPublic({ attributes: { Policy: doc(limited, statement()) } })).toBe(true);
  });

  it('does not hold for named principals, other attributes, empty or unreadable policies', () => {
    const named = statement({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } });
    expect(isPublic({ attributes: { Policy: doc(named) } })).toBe(false);
    expect(isPublic({ attributeName: 'DisplayName', attributeValue: '*' })).toBe(false);
    expect(isPublic({ attributes: { Policy: '' } })).toBe(false);
    expect(isPublic({ accessPolicies: 'not json' })).toBe(false);
    expect(resourcePolicyGrantsPublicAccess.test({ requestParameters: null })).toBe(false);
  });
});

const ingress = (requestParameters: JsonObject, eventName = 'AuthorizeSecurityGroupIngress'): boolean =>
  opensAdminPortToWorld.test({ eventName, requestParameters });
const item = (cidr: string, extra: JsonObject): JsonObject => ({
  ipRanges: { items: [{ cidrIp: cidr }] },
  ipv6Ranges: {},
  ...extra,
});

describe('opens-admin-port-to-world', () => {
  it('holds for SSH or RDP opened to 0.0.0.0/0 or ::/0 in the ipPermissions shape', () => {
    expect(
      ingress({
        ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: 'tcp', fromPort: 22, toPort: 22 })] },
      }),
    ).toBe(true);
    const v6 = {
      ipProtocol: 'tcp',
      fromPort: 3389,
      toPort: 3389,
      ipRanges: {},
      ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
    };
    expect(ingress({ ipPermissions: { items: [v6] } })).toBe(true);
  });

  it('holds for the flat shape, port ranges, all protocols, and any /0 network', () => {
    expect(ingress({ cidrIp: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: 22, toPort: 22 })).toBe(true);
    expect(ingress({ cidrIp: '203.0.113.9/0', ipProtocol: 'tcp', fromPort: '22', toPort: '22' })).toBe(true);
    expect(
      ingress({
        ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: 'tcp', fromPort: 0, toPort: 65535 })] },
      }),
    ).toBe(true);
    expect(ingress({ ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: '-1' })] } })).toBe(true);
  });

  it('holds for ModifySecurityGroupRules', () => {
    const rule = {
      SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, CidrIpv4: '0.0.0.0/0' },
    };
    expect(
      ingress(
        { ModifySecurityGroupRulesRequest: { GroupId: 'sg-1', SecurityGroupRule: rule } },
        'ModifySecurityGroupRules',
      ),
    ).toBe(true);
  });

  it('does not hold for other ports, narrower networks, ICMP, or egress', () => {
    expect(
      ingress({
        ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: 'tcp', fromPort: 443, toPort: 443 })] },
      }),
    ).toBe(false);
    expect(
      ingress({
        ipPermissions: { items: [item('10.0.0.0/8', { ipProtocol: 'tcp', fromPort: 22, toPort: 22 })] },
      }),
    ).toBe(false);
    expect(
      ingress({
        ipPermissions: { items: [item('0.0.0.0/16', { ipProtocol: 'tcp', fromPort: 22, toPort: 22 })] },
      }),
    ).toBe(false);
    expect(
      ingress({
        ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: 'icmp', fromPort: -1, toPort: -1 })] },
      }),
    ).toBe(false);
    expect(
      ingress(
        { ipPermissions: { items: [item('0.0.0.0/0', { ipProtocol: '-1' })] } },
        'AuthorizeSecurityGroupEgress',
      ),
    ).toBe(false);
  });

  it('does not mix the network of one rule with the ports of another', () => {
    const items = [
      item('10.0.0.0/8', { ipProtocol: 'tcp', fromPort: 22, toPort: 22 }),
      item('0.0.0.0/0', { ipProtocol: 'tcp', fromPort: 443, toPort: 443 }),
    ];
    expect(ingress({ ipPermissions: { items } })).toBe(false);
  });
});

const bucket = (name: string, accountId?: string): JsonObject => ({
  type: 'AWS::S3::Bucket',
  ARN: `arn:aws:s3:::${name}`,
  ...(accountId ? { accountId } : {}),
});
const copy = (resources: JsonObject[], bucketName = 'dest'): boolean =>
  s3BucketInForeignAccount.test({
    eventName: 'CopyObject',
    recipientAccountId: '111122223333',
    requestParameters: { bucketName, key: 'k', 'x-amz-copy-source': 'src/k' },
    resources,
  });

describe('s3-bucket-in-foreign-account', () => {
  it('holds when the destination bucket belongs to another account', () => {
    expect(copy([bucket('src', '111122223333'), bucket('dest', '444455556666')])).toBe(true);
  });

  it('does not hold when the destination is ours, even if the source is foreign', () => {
    expect(copy([bucket('src', '444455556666'), bucket('dest', '111122223333')])).toBe(false);
  });

  it('falls back to any bucket entry when none is named like the destination', () => {
    expect(copy([bucket('a', '444455556666'), bucket('b', '111122223333')], 'other')).toBe(true);
    expect(copy([bucket('a', '111122223333')], 'other')).toBe(false);
  });

  it('does not hold without resources or account ids', () => {
    expect(copy([])).toBe(false);
    expect(copy([bucket('dest')])).toBe(false);
  });
});

const sseKms = (key: string): boolean =>
  s3KmsKeyInForeignAccount.test({
    recipientAccountId: '111122223333',
    requestParameters: {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': key,
    },
  });

describe('s3-kms-key-in-foreign-account', () => {
  it('holds for a key ARN of another account', () => {
    expect(sseKms('arn:aws:kms:us-east-1:444455556666:key/abcd')).toBe(true);
  });

  it('does not hold for our own key, a bare key id or alias, or no key', () => {
    expect(sseKms('arn:aws:kms:us-east-1:111122223333:key/abcd')).toBe(false);
    expect(sseKms('1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(false);
    expect(sseKms('alias/aws/s3')).toBe(false);
    expect(s3KmsKeyInForeignAccount.test({ recipientAccountId: '111122223333', requestParameters: {} })).toBe(
      false,
    );
  });
});
