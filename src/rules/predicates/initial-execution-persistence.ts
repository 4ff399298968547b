// Predicates added for the rules of this group of tactics; each one is unit-tested.
import { isJsonObject, type JsonObject } from '../../domain/json.js';
import { valuesAt } from '../fields.js';
import type { Predicate } from './types.js';

/** How many instances one Run Command call must name before it counts as fleet-wide. */
export const SEVERAL_INSTANCES = 3;

function texts(record: JsonObject, path: string): string[] {
  return valuesAt(record, path).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

export const ssmTargetsSeveralInstances: Predicate = {
  name: 'ssm-targets-several-instances',
  description: `An SSM SendCommand names ${SEVERAL_INSTANCES} or more instances, all instances ("*"), or selects its targets by tag or resource group (an open-ended fleet).`,
  test: (record) => {
    const ids = new Set(texts(record, 'requestParameters.instanceIds'));
    for (const target of valuesAt(record, 'requestParameters.targets')) {
      if (!isJsonObject(target)) continue;
      const key = typeof target.key === 'string' ? target.key : '';
      const values = (Array.isArray(target.values) ? target.values : [target.values]).filter(
        (v): v is string => typeof v === 'string',
      );
      // Tags and resource groups select however many instances carry them, now and later.
      if (key && key.toLowerCase() !== 'instanceids') return true;
      for (const v of values) ids.add(v);
    }
    return ids.has('*') || ids.size >= SEVERAL_INSTANCES;
  },
};

const LAYER_ACCOUNT = /^arn:[^:]+:lambda:[^:]*:(\d{12}):layer:/;

export const lambdaLayerFromAnotherAccount: Predicate = {
  name: 'lambda-layer-from-another-account',
  description:
    'A Lambda function is configured with a layer (or extension) published by another AWS account than the one the function is in.',
  test: (record) => {
    const own = typeof record.recipientAccountId === 'string' ? record.recipientAccountId : '';
    const arns = [
      ...texts(record, 'requestParameters.layers'),
      ...texts(record, 'responseElements.layers.arn'),
    ];
    return arns.some((arn) => {
      const account = LAYER_ACCOUNT.exec(arn)?.[1];
      return account !== undefined && account !== own;
    });
  },
};

export const PREDICATES: Predicate[] = [ssmTargetsSeveralInstances, lambdaLayerFromAnotherAccount];
