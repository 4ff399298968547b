// Attack steps in the management account: the stolen console password, a new admin user, the pivot, the backdoor.
import type { JsonObject } from '../domain/json.js';
import { getCallerIdentity } from './api-control.js';
import { listBuckets } from './api-data.js';
import { CONSOLE, cliAgent } from './agents.js';
import { localeDate, SECOND } from './format.js';
import {
  iamUserConsoleIdentity,
  iamUserIdentity,
  roleSessionIdentity,
  userArn,
  type Caller,
} from './identities.js';
import { GLOBAL_REGION, IPS, MANAGEMENT, PEOPLE, PRODUCTION, ROLES, USERS } from './org.js';
import { emitApi, type Api, type Sink } from './record.js';
import { consoleLogin } from './signin.js';
import { assumeRole, newLongTermKey, newSessionKey } from './sts.js';

const ATTACKER_BROWSER = 'Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 Firefox/115.0';
const ATTACKER_CLI = cliAgent('linux#6.5.0-26-generic');

const iamWrite = (name: string, request: JsonObject, response: JsonObject | null = null): Api => ({
  source: 'iam.amazonaws.com',
  name,
  readOnly: false,
  region: GLOBAL_REGION,
  request,
  response,
});

/** a: bob's password, no MFA, from an address the organization has never used. */
export function signInWithoutMfa(sink: Sink, time: number): Caller {
  const signIn: Caller = {
    identity: iamUserIdentity(USERS.bob),
    sourceIp: IPS.attacker,
    userAgent: ATTACKER_BROWSER,
  };
  consoleLogin(sink, { time, account: MANAGEMENT, caller: signIn, isMfa: false });
  return {
    identity: iamUserConsoleIdentity(USERS.bob, newSessionKey(sink.rng), time, false),
    sourceIp: IPS.attacker,
    userAgent: CONSOLE,
    isConsole: true,
  };
}

/** b: a new IAM user with an access key and AdministratorAccess, created from bob's console session. */
export function createAdminUser(sink: Sink, time: number, bob: Caller): Caller {
  const user = USERS.backupAdmin;
  const base = (offset: number) => ({
    time: time + offset * SECOND,
    caller: bob,
    account: MANAGEMENT,
    region: GLOBAL_REGION,
  });
  emitApi(
    sink,
    base(0),
    iamWrite(
      'CreateUser',
      { userName: user.name },
      {
        user: {
          path: '/',
          userName: user.name,
          userId: user.userId,
          arn: userArn(user),
          createDate: localeDate(time),
        },
      },
    ),
  );
  const accessKeyId = newLongTermKey(sink.rng);
  emitApi(
    sink,
    base(38),
    iamWrite(
      'CreateAccessKey',
      { userName: user.name },
      {
        accessKey: {
          userName: user.name,
          accessKeyId,
          status: 'Active',
          createDate: localeDate(time + 38 * SECOND),
        },
      },
    ),
  );
  emitApi(
    sink,
    base(71),
    iamWrite('AttachUserPolicy', {
      userName: user.name,
      policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
  );
  return { identity: iamUserIdentity(user, accessKeyId), sourceIp: IPS.attacker, userAgent: ATTACKER_CLI };
}

/** c: backup-admin's key assumes the organization's admin role in production; returns that session's caller. */
export function pivotToProduction(sink: Sink, time: number, backupAdmin: Caller): Caller {
  emitApi(
    sink,
    { time, caller: backupAdmin, account: MANAGEMENT, region: GLOBAL_REGION },
    getCallerIdentity(),
  );
  const { session } = assumeRole(
    sink,
    { time: time + 27 * SECOND, caller: backupAdmin, account: MANAGEMENT, region: GLOBAL_REGION },
    { role: ROLES.orgAccessProd, sessionName: 'session1' },
  );
  return { identity: roleSessionIdentity(session), sourceIp: IPS.attacker, userAgent: ATTACKER_CLI };
}

/**
 * h: a console password for backup-admin, and a production session named after a real engineer, so
 * that a glance at the session name shows alice rather than the attacker.
 */
export function plantBackdoor(sink: Sink, time: number, backupAdmin: Caller): void {
  const user = USERS.backupAdmin;
  emitApi(
    sink,
    { time, caller: backupAdmin, account: MANAGEMENT, region: GLOBAL_REGION },
    iamWrite(
      'CreateLoginProfile',
      { userName: user.name, passwordResetRequired: false },
      { loginProfile: { userName: user.name, createDate: localeDate(time), passwordResetRequired: false } },
    ),
  );
  const { session } = assumeRole(
    sink,
    { time: time + 95 * SECOND, caller: backupAdmin, account: MANAGEMENT, region: GLOBAL_REGION },
    { role: ROLES.orgAccessProd, sessionName: PEOPLE.alice.email },
  );
  const disguised: Caller = {
    identity: roleSessionIdentity(session),
    sourceIp: IPS.attacker,
    userAgent: ATTACKER_CLI,
  };
  emitApi(
    sink,
    { time: time + 110 * SECOND, caller: disguised, account: PRODUCTION, region: GLOBAL_REGION },
    getCallerIdentity(),
  );
  emitApi(
    sink,
    { time: time + 131 * SECOND, caller: disguised, account: PRODUCTION, region: GLOBAL_REGION },
    listBuckets(sink.rng),
  );
}
