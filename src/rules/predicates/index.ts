// The registry of named predicates that rules may reference.
import { PREDICATES as credentialsDiscovery } from './credentials-discovery.js';
import { PREDICATES as exfiltrationImpact } from './exfiltration-impact.js';
import { PREDICATES as initialExecutionPersistence } from './initial-execution-persistence.js';
import { opensToWorld } from './network.js';
import { grantsAdmin, grantsForeignAccount, grantsPublicAccess } from './policies.js';
import { PREDICATES as privilegeEvasion } from './privilege-evasion.js';
import type { Predicate } from './types.js';

export type { Predicate } from './types.js';

export const PREDICATES: ReadonlyMap<string, Predicate> = new Map(
  [
    grantsPublicAccess,
    grantsForeignAccount,
    grantsAdmin,
    opensToWorld,
    ...initialExecutionPersistence,
    ...privilegeEvasion,
    ...credentialsDiscovery,
    ...exfiltrationImpact,
  ].map((p) => [p.name, p]),
);
