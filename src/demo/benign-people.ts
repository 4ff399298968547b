// People at work: Identity Center sessions, an engineer's CLI key, console admins with MFA, one root sign-in.
import { BROWSER_LINUX, BROWSER_MAC, BROWSER_WINDOWS, CONSOLE, cliAgent } from './agents.js';
import { iamGetAccountSummary, iamListMfaDevices } from './api-control.js';
import { HOUR, MINUTE, SECOND } from './format.js';
import {
  iamUserConsoleIdentity,
  iamUserIdentity,
  rootIdentity,
  roleSessionIdentity,
  type Caller,
} from './identities.js';
import { ADMIN_MENU, CLI_MENU, CONSOLE_ADMIN_MENU, DEVELOPER_MENU, READ_ONLY_MENU } from './menus.js';
import {
  DEV_REGION,
  GLOBAL_REGION,
  IPS,
  MANAGEMENT,
  PEOPLE,
  PROD_REGION,
  ROLES,
  USERS,
  type Person,
  type RoleRef,
  type UserRef,
} from './org.js';
import { emitApi, forkSink, type Sink } from './record.js';
import { officeWeight, sampleTimes } from './schedule.js';
import { runSession, type Menu } from './session.js';
import { consoleLogin } from './signin.js';
import { assumeRoleWithSaml, newLongTermKey, newSessionKey } from './sts.js';

interface Assignment {
  person: Person;
  role: RoleRef;
  regions: readonly string[];
  perDay: number;
  menu: Menu;
}

const ASSIGNMENTS: readonly Assignment[] = [
  { person: PEOPLE.alice, role: ROLES.ssoAdminMgmt, regions: [GLOBAL_REGION], perDay: 1.2, menu: ADMIN_MENU },
  { person: PEOPLE.alice, role: ROLES.ssoAdminProd, regions: [PROD_REGION], perDay: 2, menu: ADMIN_MENU },
  {
    person: PEOPLE.priya,
    role: ROLES.ssoReadOnlyProd,
    regions: [PROD_REGION],
    perDay: 1.6,
    menu: READ_ONLY_MENU,
  },
  {
    person: PEOPLE.carlos,
    role: ROLES.ssoDeveloperDev,
    regions: [DEV_REGION, PROD_REGION],
    perDay: 2,
    menu: DEVELOPER_MENU,
  },
];

/** Identity Center: AssumeRoleWithSAML in the member account, then calls by the e-mail-named session. */
function identityCenterSessions(sink: Sink, assignment: Assignment): void {
  const { person, role } = assignment;
  for (const from of sampleTimes(sink.rng, sink.start, sink.end, assignment.perDay, officeWeight)) {
    const { session } = assumeRoleWithSaml(sink, from, role, person.email, person.ip, GLOBAL_REGION);
    const isConsole = sink.rng.chance(0.6);
    const caller: Caller = {
      identity: roleSessionIdentity(session),
      sourceIp: person.ip,
      userAgent: isConsole ? CONSOLE : cliAgent(person.os),
      ...(isConsole ? { isConsole: true } : {}),
    };
    const region = sink.rng.pick(assignment.regions);
    runSession(sink, {
      caller,
      account: role.account,
      region,
      from,
      calls: sink.rng.int(15, 50),
      menu: assignment.menu,
    });
  }
}

/** bob works from the office with a long-term access key, the AWS CLI and no MFA. */
function cliUser(sink: Sink, user: UserRef, ip: string): void {
  const caller: Caller = {
    identity: iamUserIdentity(user, newLongTermKey(sink.rng.fork('key'))),
    sourceIp: ip,
    userAgent: cliAgent('macos#14.4.1'),
  };
  for (const from of sampleTimes(sink.rng, sink.start, sink.end, 2, officeWeight)) {
    const region = sink.rng.pick([GLOBAL_REGION, PROD_REGION]);
    runSession(sink, {
      caller,
      account: user.account,
      region,
      from,
      calls: sink.rng.int(6, 20),
      menu: CLI_MENU,
      gap: [2, 60],
    });
  }
}

/** dana and erik sign in to the console with MFA and look around IAM, Organizations and billing. */
function consoleAdmin(sink: Sink, user: UserRef, ip: string, browser: string): void {
  for (const from of sampleTimes(sink.rng, sink.start, sink.end, 0.9, officeWeight)) {
    const mfaIdentifier = `arn:aws:iam::${user.account}:mfa/${user.name}`;
    const signIn: Caller = { identity: iamUserIdentity(user), sourceIp: ip, userAgent: browser };
    consoleLogin(sink, { time: from, account: user.account, caller: signIn, isMfa: true, mfaIdentifier });
    const caller: Caller = {
      identity: iamUserConsoleIdentity(user, newSessionKey(sink.rng), from, true),
      sourceIp: ip,
      userAgent: CONSOLE,
      isConsole: true,
    };
    runSession(sink, {
      caller,
      account: user.account,
      region: GLOBAL_REGION,
      from,
      calls: sink.rng.int(4, 18),
      menu: CONSOLE_ADMIN_MENU,
    });
  }
}

/** Someone checks the account settings as root once, with MFA, during office hours. */
function rootVisit(sink: Sink): void {
  let time = sink.start + 12 * HOUR;
  while (time < sink.end && officeWeight(time) < 2) time += HOUR;
  time += sink.rng.int(0, 50) * MINUTE;
  const signIn: Caller = { identity: rootIdentity(MANAGEMENT), sourceIp: IPS.dana, userAgent: BROWSER_MAC };
  consoleLogin(sink, {
    time,
    account: MANAGEMENT,
    caller: signIn,
    isMfa: true,
    mfaIdentifier: `arn:aws:iam::${MANAGEMENT}:mfa/root-account-mfa-device`,
  });
  const caller: Caller = {
    identity: rootIdentity(MANAGEMENT, { accessKeyId: newSessionKey(sink.rng), createdAt: time }),
    sourceIp: IPS.dana,
    userAgent: CONSOLE,
    isConsole: true,
  };
  for (const [i, api] of [iamGetAccountSummary(), iamListMfaDevices(), iamGetAccountSummary()].entries()) {
    emitApi(
      sink,
      { time: time + (i + 1) * 40 * SECOND, caller, account: MANAGEMENT, region: GLOBAL_REGION },
      api,
    );
  }
}

export function generatePeople(sink: Sink): void {
  ASSIGNMENTS.forEach((assignment, i) => identityCenterSessions(forkSink(sink, `sso-${i}`), assignment));
  cliUser(forkSink(sink, 'bob'), USERS.bob, IPS.bob);
  consoleAdmin(forkSink(sink, 'dana'), USERS.dana, IPS.dana, BROWSER_WINDOWS);
  consoleAdmin(forkSink(sink, 'erik'), USERS.erik, IPS.erik, BROWSER_LINUX);
  rootVisit(forkSink(sink, 'root'));
}
