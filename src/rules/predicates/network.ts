// Predicates over network rules in a request: security group and network ACL entries open to the world.
import { jsonText, type Json, type JsonObject } from '../../domain/json.js';
import { valuesAt } from '../fields.js';
import type { Predicate } from './types.js';

/** A /0 network admits every address, whatever address is written before the slash. */
function anyWorld(values: Json[]): boolean {
  return values.some((v) => typeof v === 'string' && /\/0$/.test(v.trim()));
}

export const opensToWorld: Predicate = {
  name: 'opens-ingress-to-world',
  description:
    'A security group rule or an allowing network ACL ingress entry in the request admits 0.0.0.0/0 or ::/0.',
  test: (record: JsonObject) => {
    const perms = 'requestParameters.ipPermissions.items';
    if (anyWorld(valuesAt(record, `${perms}.ipRanges.items.cidrIp`))) return true;
    if (anyWorld(valuesAt(record, `${perms}.ipv6Ranges.items.cidrIpv6`))) return true;
    if (anyWorld(valuesAt(record, 'requestParameters.cidrIp'))) return true;
    // ModifySecurityGroupRules / the newer rule shapes
    if (
      anyWorld(
        valuesAt(
          record,
          'requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4',
        ),
      )
    )
      return true;
    const nacl = valuesAt(record, 'requestParameters.cidrBlock').concat(
      valuesAt(record, 'requestParameters.ipv6CidrBlock'),
    );
    const isEgress = valuesAt(record, 'requestParameters.egress').some((v) => v === true || v === 'true');
    const isAllow = valuesAt(record, 'requestParameters.ruleAction').some(
      (v) => jsonText(v).toLowerCase() === 'allow',
    );
    return anyWorld(nacl) && isAllow && !isEgress;
  },
};
