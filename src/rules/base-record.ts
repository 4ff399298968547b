// The realistic base record that rule tests merge their partial events over.
import { isJsonObject, type JsonObject } from '../domain/json.js';

export const BASE_TEST_RECORD: JsonObject = {
  eventVersion: '1.09',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEALICE0001',
    arn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    accessKeyId: 'AKIAEXAMPLEALICE0001',
    userName: 'alice',
  },
  eventTime: '2024-05-01T12:00:00Z',
  eventSource: 'iam.amazonaws.com',
  eventName: 'GetUser',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8',
  requestParameters: null,
  responseElements: null,
  requestID: '5f8c6b0e-3d4a-4c1e-9a47-0d2f1c7e9b11',
  eventID: 'test-event-0001',
  readOnly: true,
  eventType: 'AwsApiCall',
  managementEvent: true,
  recipientAccountId: '111122223333',
  eventCategory: 'Management',
  tlsDetails: {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: 'iam.amazonaws.com',
  },
};

/**
 * Deep-merges `over` onto `base`: objects merge, anything else replaces, null removes the key. A
 * `userIdentity` of another `type` replaces the base identity whole (a Root caller has no user name).
 */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (
      k === 'userIdentity' &&
      isJsonObject(v) &&
      isJsonObject(out[k]) &&
      v.type !== undefined &&
      v.type !== out[k].type
    )
      out[k] = v;
    else if (isJsonObject(v) && isJsonObject(out[k])) out[k] = deepMerge(out[k], v);
    else out[k] = v;
  }
  return out;
}
