// Unit tests of the predicates used by the initial-access, execution and persistence rules.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import {
  lambdaLayerFromAnotherAccount,
  PREDICATES,
  ssmTargetsSeveralInstances,
} from '../../src/rules/predicates/initial-execution-persistence.js';

const sendCommand = (requestParameters: JsonObject): JsonObject => ({
  eventSource: 'ssm.amazonaws.com',
  eventName: 'SendCommand',
  recipientAccountId: '111122223333',
  requestParameters,
});

describe('ssm-targets-several-instances', () => {
  const test = (rp: JsonObject): boolean => ssmTargetsSeveralInstances.test(sendCommand(rp));

  it('counts distinct instance ids', () => {
    expect(test({ instanceIds: ['i-0a', 'i-0b', 'i-0c'] })).toBe(true);
    expect(test({ instanceIds: ['i-0a', 'i-0b'] })).toBe(false);
    expect(test({ instanceIds: ['i-0a', 'i-0a', 'i-0a'] })).toBe(false);
  });

  it('adds instance ids given as targets', () => {
    expect(test({ instanceIds: ['i-0a'], targets: [{ key: 'InstanceIds', values: ['i-0b', 'i-0c'] }] })).toBe(
      true,
    );
    expect(test({ targets: [{ key: 'InstanceIds', values: ['i-0b'] }] })).toBe(false);
  });

  it('treats all instances, tags and resource groups as a fleet', () => {
    expect(test({ targets: [{ key: 'InstanceIds', values: ['*'] }] })).toBe(true);
    expect(test({ targets: [{ key: 'tag:Environment', values: ['prod'] }] })).toBe(true);
    expect(test({ targets: [{ key: 'resource-groups:Name', values: ['web'] }] })).toBe(true);
  });

  it('is false without targets', () => {
    expect(test({})).toBe(false);
    expect(ssmTargetsSeveralInstances.test({ eventName: 'SendCommand', requestParameters: null })).toBe(
      false,
    );
  });
});

describe('lambda-layer-from-another-account', () => {
  const view = (extra: JsonObject): JsonObject => ({
    eventSource: 'lambda.amazonaws.com',
    eventName: 'UpdateFunctionConfiguration20150331v2',
    recipientAccountId: '111122223333',
    ...extra,
  });

  it('is true for a layer of another account in the request', () => {
    const layers = ['arn:aws:lambda:us-east-1:444455556666:layer:ext:3'];
    expect(lambdaLayerFromAnotherAccount.test(view({ requestParameters: { layers } }))).toBe(true);
  });

  it('is true for a layer of another account in the response', () => {
    const responseElements = { layers: [{ arn: 'arn:aws:lambda:eu-west-1:444455556666:layer:ext:1' }] };
    expect(lambdaLayerFromAnotherAccount.test(view({ responseElements }))).toBe(true);
  });

  it('is false for the account own layers and without layers', () => {
    const layers = ['arn:aws:lambda:us-east-1:111122223333:layer:shared:7'];
    expect(lambdaLayerFromAnotherAccount.test(view({ requestParameters: { layers } }))).toBe(false);
    expect(lambdaLayerFromAnotherAccount.test(view({ requestParameters: { functionName: 'f' } }))).toBe(
      false,
    );
  });
});

describe('registry', () => {
  it('exports every predicate of this group under a unique kebab-case name', () => {
    const names = PREDICATES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});
