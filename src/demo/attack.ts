// The attack story, step by step, a few hours before the end of the trail; each step lists its own records.
import type { JsonObject } from '../domain/json.js';
import { createAdminUser, pivotToProduction, plantBackdoor, signInWithoutMfa } from './attack-access.js';
import { openNetwork } from './attack-network.js';
import { disableDetection, exposeBucket, probeForSecrets } from './attack-production.js';
import { HOUR, MINUTE, SECOND } from './format.js';
import { MANAGEMENT, PRODUCTION } from './org.js';
import { eventIdOf, type Sink } from './record.js';
import type { DemoScenarioStep } from './types.js';

/** Runs `act` and the records it emitted (the attack runs alone on its sink, so a slice is exact). */
function capture<T>(sink: Sink, act: () => T): { result: T; records: JsonObject[] } {
  const before = sink.records.length;
  const result = act();
  return { result, records: sink.records.slice(before) };
}

function describeStep(
  step: string,
  account: string,
  description: string,
  records: JsonObject[],
): DemoScenarioStep {
  const eventNames: string[] = [];
  for (const record of records) {
    const name = record['eventName'];
    if (typeof name === 'string' && !eventNames.includes(name)) eventNames.push(name);
  }
  return { step, description, eventNames, account, eventIds: records.map(eventIdOf) };
}

/** How long before the end of the trail the attack starts. */
export const ATTACK_LEAD = 4 * HOUR;

export function generateAttack(sink: Sink): DemoScenarioStep[] {
  const start = sink.end - ATTACK_LEAD + sink.rng.int(0, 30) * MINUTE;
  const at = (minutes: number) => start + minutes * MINUTE + sink.rng.int(0, 40) * SECOND;
  const a = capture(sink, () => signInWithoutMfa(sink, at(0)));
  const b = capture(sink, () => createAdminUser(sink, at(4), a.result));
  const c = capture(sink, () => pivotToProduction(sink, at(12), b.result));
  const production = c.result;
  const d = capture(sink, () => probeForSecrets(sink, at(16), production));
  const e = capture(sink, () => disableDetection(sink, at(27), production));
  const f = capture(sink, () => exposeBucket(sink, at(36), production));
  const g = capture(sink, () => openNetwork(sink, at(44), production));
  const h = capture(sink, () => plantBackdoor(sink, at(62), b.result));
  return [
    describeStep(
      'a',
      MANAGEMENT,
      'IAM user bob signs in to the console without MFA from an address never seen before',
      a.records,
    ),
    describeStep(
      'b',
      MANAGEMENT,
      'bob creates IAM user backup-admin, gives it an access key and attaches AdministratorAccess',
      b.records,
    ),
    describeStep(
      'c',
      MANAGEMENT,
      "backup-admin's new key assumes OrganizationAccountAccessRole in production (session1)",
      c.records,
    ),
    describeStep(
      'd',
      PRODUCTION,
      'A burst of denied calls: secrets, databases and Windows passwords are blocked by the SCP',
      d.records,
    ),
    describeStep(
      'e',
      PRODUCTION,
      "GuardDuty's detector is deleted; the account's own trail is stopped and its selectors emptied",
      e.records,
    ),
    describeStep(
      'f',
      PRODUCTION,
      'The customer-exports bucket is made public (policy for Principal "*"), backups lose their block',
      f.records,
    ),
    describeStep(
      'g',
      PRODUCTION,
      'A new VPC and internet gateway; the database subnet routed to the internet, SSH and RDP opened',
      g.records,
    ),
    describeStep(
      'h',
      MANAGEMENT,
      'Backdoor: a console password for backup-admin and a production session named after alice',
      h.records,
    ),
  ];
}
