// The resource an event is about, as one line for a list: what CloudTrail's event history shows
// as "Resource name". Records name resources in `resources` for some calls only (data events, STS,
// KMS); for the others the request names them, under a key each service chooses.
import { isJsonObject, type Json } from './json.js';

/** Request parameters that name the resource a call acts on, most specific first. */
const NAME_KEYS = [
  'bucketName',
  'roleName',
  'userName',
  'groupName',
  'policyArn',
  'functionName',
  'trailName',
  'detectorId',
  'keyId',
  'secretId',
  'logGroupName',
  'dbInstanceIdentifier',
  'clusterName',
  'topicArn',
  'queueUrl',
  'stackName',
  'repositoryName',
  'tableName',
  'instanceId',
  'groupId',
  'vpcId',
  'subnetId',
  'routeTableId',
  'networkAclId',
  'internetGatewayId',
  'natGatewayId',
  'transitGatewayId',
  'volumeId',
  'snapshotId',
  'imageId',
  'resourceArn',
  'name',
] as const;

/** EC2 lists the instances of a call in `instancesSet.items` (RunInstances, TerminateInstances…). */
function firstInstance(params: Json): string | null {
  const set = isJsonObject(params) ? params.instancesSet : null;
  const items = isJsonObject(set) ? set.items : null;
  const first = Array.isArray(items) ? items[0] : null;
  const id = isJsonObject(first) ? first.instanceId : null;
  return typeof id === 'string' && id ? id : null;
}

/**
 * The event's resource: the first ARN in `resources`, else the first naming request parameter
 * (NAME_KEYS) that holds text, else the first instance of an EC2 instance set; null when none names one.
 */
export function resourceLabel(e: {
  resources: readonly { arn: string | null }[];
  requestParameters: Json;
}): string | null {
  const arn = e.resources.find((r) => r.arn)?.arn;
  if (arn) return arn;
  const params = e.requestParameters;
  if (isJsonObject(params))
    for (const key of NAME_KEYS) {
      const v = params[key];
      if (typeof v === 'string' && v) return v;
    }
  return firstInstance(params);
}
