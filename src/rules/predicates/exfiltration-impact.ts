// Predicates added for the rules of this group of tactics; each one is unit-tested.
import { isJsonObject, type Json, type JsonObject } from '../../domain/json.js';
import { grantsPublicAccess } from './policies.js';
import type { Predicate } from './types.js';

function list(value: Json | undefined): Json[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function request(record: JsonObject): JsonObject {
  return isJsonObject(record.requestParameters) ? record.requestParameters : {};
}

function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** The account id in an ARN (`arn:aws:kms:us-east-1:111122223333:key/…`), or null. */
function arnAccount(arn: string): string | null {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null;
}

/**
 * Policy documents that services carry outside the keys the shared policy predicates read: SQS and SNS
 * `attributes.Policy`, SNS `SetTopicAttributes` (`attributeName: Policy`, `attributeValue`), OpenSearch /
 * Elasticsearch `accessPolicies`, S3 Glacier `policy.policy`.
 */
function extraPolicies(req: JsonObject): Json[] {
  const out: Json[] = [];
  if (isJsonObject(req.attributes) && req.attributes.Policy !== undefined) out.push(req.attributes.Policy);
  if (text(req.attributeName).toLowerCase() === 'policy' && req.attributeValue !== undefined)
    out.push(req.attributeValue);
  if (req.accessPolicies !== undefined) out.push(req.accessPolicies);
  if (isJsonObject(req.policy) && req.policy.policy !== undefined) out.push(req.policy.policy);
  return out;
}

export const resourcePolicyGrantsPublicAccess: Predicate = {
  name: 'resource-policy-grants-public-access',
  description:
    'A resource policy in the request (bucket, key, repository, secret, queue, topic, domain or vault policy) allows Principal "*" without a condition that limits it to an account, organisation, VPC or source.',
  test: (record) => {
    if (grantsPublicAccess.test(record)) return true;
    // Reuse the shared predicate (same notion of "public") on each document found elsewhere.
    return extraPolicies(request(record)).some((policy) =>
      grantsPublicAccess.test({ requestParameters: { policy } }),
    );
  },
};

const ADMIN_PORTS = [22, 3389];

/** A CIDR that admits every address: any IPv4 or IPv6 network with prefix length 0 (0.0.0.0/0, ::/0). */
function isWorld(cidr: Json): boolean {
  return typeof cidr === 'string' && /\/0+$/.test(cidr.trim());
}

interface Permission {
  protocol: string;
  from: number | null;
  to: number | null;
  cidrs: Json[];
}

function port(value: Json | undefined): number | null {
  if (typeof value === 'number') return value;
  const s = text(value).trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Every rule of a security-group request, in the three shapes CloudTrail records. */
function permissions(req: JsonObject): Permission[] {
  const out: Permission[] = [];
  // AuthorizeSecurityGroupIngress with top-level CidrIp / FromPort / ToPort / IpProtocol.
  if (req.cidrIp !== undefined || req.cidrIpv6 !== undefined)
    out.push({
      protocol: text(req.ipProtocol),
      from: port(req.fromPort),
      to: port(req.toPort),
      cidrs: [...list(req.cidrIp), ...list(req.cidrIpv6)],
    });
  // ipPermissions.items[].{ipRanges.items[].cidrIp, ipv6Ranges.items[].cidrIpv6}
  const perms = isJsonObject(req.ipPermissions) ? list(req.ipPermissions.items) : [];
  for (const p of perms.filter(isJsonObject)) {
    const v4 = isJsonObject(p.ipRanges) ? list(p.ipRanges.items) : [];
    const v6 = isJsonObject(p.ipv6Ranges) ? list(p.ipv6Ranges.items) : [];
    out.push({
      protocol: text(p.ipProtocol),
      from: port(p.fromPort),
      to: port(p.toPort),
      cidrs: [
        ...v4.filter(isJsonObject).map((r) => r.cidrIp ?? null),
        ...v6.filter(isJsonObject).map((r) => r.cidrIpv6 ?? null),
      ],
    });
  }
  // ModifySecurityGroupRules: SecurityGroupRule (one or a list) wrapping a SecurityGroupRule.
  const modify = isJsonObject(req.ModifySecurityGroupRulesRequest)
    ? req.ModifySecurityGroupRulesRequest
    : null;
  for (const outer of list(modify?.SecurityGroupRule).filter(isJsonObject)) {
    for (const r of list(outer.SecurityGroupRule).filter(isJsonObject))
      out.push({
        protocol: text(r.IpProtocol),
        from: port(r.FromPort),
        to: port(r.ToPort),
        cidrs: [...list(r.CidrIpv4), ...list(r.CidrIpv6)],
      });
  }
  return out;
}

function coversAdminPort(p: Permission): boolean {
  const protocol = p.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== '' && !['tcp', 'udp', '6', '17'].includes(protocol)) return false;
  // No port range (or -1) on a TCP/UDP rule means every port.
  const from = p.from === null || p.from < 0 ? 0 : p.from;
  const to = p.to === null || p.to < 0 ? 65535 : p.to;
  return ADMIN_PORTS.some((a) => from <= a && a <= to);
}

export const opensAdminPortToWorld: Predicate = {
  name: 'opens-admin-port-to-world',
  description:
    'A security group ingress rule in the request admits every address (any /0 network) on SSH (22) or RDP (3389), directly, through a port range or through all protocols.',
  test: (record) => {
    if (/egress/i.test(text(record.eventName))) return false;
    return permissions(request(record)).some((p) => p.cidrs.some(isWorld) && coversAdminPort(p));
  },
};

export const s3BucketInForeignAccount: Predicate = {
  name: 's3-bucket-in-foreign-account',
  description:
    'An S3 bucket the request writes to (the `resources` entry of `requestParameters.bucketName`, or else any bucket entry) belongs to another account than the one that recorded the event.',
  test: (record) => {
    const own = text(record.recipientAccountId);
    if (!own) return false;
    const buckets = list(record.resources)
      .filter(isJsonObject)
      .filter((r) => text(r.type) === 'AWS::S3::Bucket');
    const target = text(request(record).bucketName);
    const named = buckets.filter((r) => text(r.ARN ?? r.arn) === `arn:aws:s3:::${target}`);
    const candidates = target && named.length ? named : buckets;
    return candidates.some((r) => text(r.accountId) !== '' && text(r.accountId) !== own);
  },
};

export const s3KmsKeyInForeignAccount: Predicate = {
  name: 's3-kms-key-in-foreign-account',
  description:
    'An S3 write (PutObject, CopyObject, …) asks for SSE-KMS encryption with a key whose ARN names another account than the one that recorded the event.',
  test: (record) => {
    const own = text(record.recipientAccountId);
    const key = text(request(record)['x-amz-server-side-encryption-aws-kms-key-id']);
    const account = arnAccount(key);
    return own !== '' && account !== null && account !== own;
  },
};

export const PREDICATES: Predicate[] = [
  resourcePolicyGrantsPublicAccess,
  opensAdminPortToWorld,
  s3BucketInForeignAccount,
  s3KmsKeyInForeignAccount,
];
