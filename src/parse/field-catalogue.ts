// The field catalogue: every path a rule may use, from the CloudTrail record and from attribution.
/** CloudTrail's top-level record fields, in its own spelling. */
export const RECORD_FIELDS: readonly string[] = [
  'eventVersion',
  'userIdentity',
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'requestID',
  'eventID',
  'readOnly',
  'resources',
  'eventType',
  'apiVersion',
  'managementEvent',
  'recipientAccountId',
  'serviceEventDetails',
  'sharedEventID',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'eventCategory',
  'tlsDetails',
  'sessionCredentialFromConsole',
  'addendum',
  'edgeDeviceDetails',
  'insightDetails',
  'eventContext',
];

/** Blocks whose inner keys vary by API: any path below them is valid. */
const OPEN_BLOCKS = [
  'requestParameters',
  'responseElements',
  'additionalEventData',
  'serviceEventDetails',
  'insightDetails',
  'edgeDeviceDetails',
  'eventContext',
];

const NESTED: Record<string, string[]> = {
  userIdentity: [
    'type',
    'principalId',
    'arn',
    'accountId',
    'accessKeyId',
    'userName',
    'invokedBy',
    'identityProvider',
    'credentialId',
    'sourceIdentity',
    'onBehalfOf.userId',
    'onBehalfOf.identityStoreArn',
    'sessionContext.sessionIssuer.type',
    'sessionContext.sessionIssuer.principalId',
    'sessionContext.sessionIssuer.arn',
    'sessionContext.sessionIssuer.accountId',
    'sessionContext.sessionIssuer.userName',
    'sessionContext.attributes.creationDate',
    'sessionContext.attributes.mfaAuthenticated',
    'sessionContext.sourceIdentity',
    'sessionContext.ec2RoleDelivery',
    'sessionContext.assumedRoot',
    'sessionContext.webIdFederationData.federatedProvider',
    'sessionContext.webIdFederationData.attributes',
    'inScopeOf.issuerType',
    'inScopeOf.credentialsIssuedTo',
    'inScopeOf.sourceArn',
    'inScopeOf.sourceAccount',
  ],
  resources: ['ARN', 'accountId', 'type'],
  tlsDetails: ['tlsVersion', 'cipherSuite', 'clientProvidedHostHeader'],
  addendum: ['reason', 'updatedFields', 'originalRequestID', 'originalEventID'],
  actor: [
    'type',
    'arn',
    'accountId',
    'userName',
    'sessionName',
    'accessKeyId',
    'origin.type',
    'origin.id',
    'origin.name',
    'origin.accountId',
    'resolvedBy',
    'confidence',
    'chainLength',
    'chain',
  ],
  sessionNameCheck: ['policy', 'verdict', 'sessionName', 'expected'],
};

/** Whether a rule may use this field path. */
export function isKnownField(path: string): boolean {
  const [head = '', ...rest] = path.split('.');
  if (!rest.length) return RECORD_FIELDS.includes(head) || head in NESTED;
  if (OPEN_BLOCKS.includes(head)) return true;
  const inner = rest.join('.');
  return (NESTED[head] ?? []).some(
    (f) =>
      inner === f ||
      inner.startsWith(`${f}.`) ||
      (f === 'sessionContext.webIdFederationData.attributes' && inner.startsWith(f)),
  );
}
