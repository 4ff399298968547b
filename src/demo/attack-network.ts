// Attack step g: production's private database subnet opened to the internet, in EC2's own request shapes.
import type { JsonObject } from '../domain/json.js';
import { SECOND } from './format.js';
import type { Caller } from './identities.js';
import { PROD_NETWORK, PROD_REGION, PRODUCTION } from './org.js';
import { emitApi, type Api, type Sink } from './record.js';

/** EC2 writes echo the requestID inside responseElements, so both are fixed here. */
function ec2Write(
  sink: Sink,
  name: string,
  request: JsonObject,
  response: JsonObject = { _return: true },
): Api {
  const requestId = sink.rng.uuid();
  return {
    source: 'ec2.amazonaws.com',
    name,
    readOnly: false,
    request,
    response: { requestId, ...response },
    requestId,
  };
}

const ipRange = (cidrIp: string): JsonObject => ({ ipRanges: { items: [{ cidrIp }] } });

function openPort(port: number): JsonObject {
  return {
    ipProtocol: 'tcp',
    fromPort: port,
    toPort: port,
    groups: {},
    ...ipRange('0.0.0.0/0'),
    ipv6Ranges: {},
    prefixListIds: {},
  };
}

export function openNetwork(sink: Sink, time: number, caller: Caller): void {
  const id = (prefix: string) => `${prefix}-0${sink.rng.hex(16)}`;
  const vpcId = id('vpc');
  const igwId = id('igw');
  const routeTableId = id('rtb');
  const { vpcId: prodVpc, dbRouteAssociationId, networkAclId, dbSecurityGroupId } = PROD_NETWORK;
  const stagingCidr = '10.99.0.0/16';
  const calls: Api[] = [
    ec2Write(
      sink,
      'CreateVpc',
      { cidrBlock: stagingCidr, instanceTenancy: 'default', amazonProvidedIpv6CidrBlock: false },
      {
        vpc: {
          vpcId,
          state: 'pending',
          ownerId: PRODUCTION,
          cidrBlock: stagingCidr,
          cidrBlockAssociationSet: {
            items: [
              {
                cidrBlock: stagingCidr,
                associationId: id('vpc-cidr-assoc'),
                cidrBlockState: { state: 'associated' },
              },
            ],
          },
          ipv6CidrBlockAssociationSet: {},
          dhcpOptionsId: 'dopt-0f1e2d3c4b5a69788',
          instanceTenancy: 'default',
          tagSet: {},
          isDefault: false,
        },
      },
    ),
    ec2Write(
      sink,
      'CreateInternetGateway',
      {},
      {
        internetGateway: { internetGatewayId: igwId, ownerId: PRODUCTION, attachmentSet: {}, tagSet: {} },
      },
    ),
    ec2Write(sink, 'AttachInternetGateway', { internetGatewayId: igwId, vpcId: prodVpc }),
    ec2Write(
      sink,
      'CreateRouteTable',
      { vpcId: prodVpc },
      {
        routeTable: {
          routeTableId,
          vpcId: prodVpc,
          ownerId: PRODUCTION,
          routeSet: {
            items: [
              {
                destinationCidrBlock: '10.20.0.0/16',
                gatewayId: 'local',
                state: 'active',
                origin: 'CreateRouteTable',
              },
            ],
          },
          associationSet: {},
          propagatingVgwSet: {},
          tagSet: {},
        },
      },
    ),
    ec2Write(sink, 'CreateRoute', { routeTableId, destinationCidrBlock: '0.0.0.0/0', gatewayId: igwId }),
    ec2Write(
      sink,
      'ReplaceRouteTableAssociation',
      { associationId: dbRouteAssociationId, routeTableId },
      {
        newAssociationId: id('rtbassoc'),
        associationState: { state: 'associated' },
      },
    ),
    ec2Write(sink, 'CreateNetworkAclEntry', {
      networkAclId,
      ruleNumber: 90,
      egress: false,
      ruleAction: 'allow',
      icmpTypeCode: {},
      portRange: {},
      aclProtocol: '-1',
      cidrBlock: '0.0.0.0/0',
    }),
    ec2Write(
      sink,
      'AuthorizeSecurityGroupIngress',
      { groupId: dbSecurityGroupId, ipPermissions: { items: [openPort(22), openPort(3389)] } },
      {
        _return: true,
        securityGroupRuleSet: {
          items: [22, 3389].map((port) => ({
            groupOwnerId: PRODUCTION,
            groupId: dbSecurityGroupId,
            securityGroupRuleId: id('sgr'),
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            cidrIpv4: '0.0.0.0/0',
          })),
        },
      },
    ),
  ];
  let t = time;
  for (const api of calls) {
    t += sink.rng.int(8, 45) * SECOND;
    emitApi(sink, { time: t, caller, account: PRODUCTION, region: PROD_REGION }, api);
  }
}
