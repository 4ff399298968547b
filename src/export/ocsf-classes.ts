// Which OCSF class and activity a CloudTrail event is: Authentication (3002), Account Change (3001), API Activity (6003).
import type { CloudTrailEvent } from '../domain/event.js';

export interface OcsfClass {
  classUid: 3001 | 3002 | 6003;
  className: string;
  categoryUid: 3 | 6;
  categoryName: string;
  activityId: number;
  activityName: string;
}

const AUTHENTICATION_ACTIVITIES: Record<number, string> = { 1: 'Logon', 2: 'Logoff', 99: 'Other' };
const ACCOUNT_CHANGE_ACTIVITIES: Record<number, string> = {
  1: 'Create',
  2: 'Enable',
  3: 'Password Change',
  4: 'Password Reset',
  5: 'Disable',
  6: 'Delete',
  7: 'Attach Policy',
  8: 'Detach Policy',
  10: 'MFA Factor Enable',
  11: 'MFA Factor Disable',
  99: 'Other',
};
const API_ACTIVITIES: Record<number, string> = {
  1: 'Create',
  2: 'Read',
  3: 'Update',
  4: 'Delete',
  99: 'Other',
};

/** IAM calls that change a user or role, its credentials or its permissions, and their activity. */
const ACCOUNT_CHANGES: Record<string, number> = {
  CreateUser: 1,
  CreateRole: 1,
  CreateLoginProfile: 1,
  CreateAccessKey: 1,
  CreateServiceSpecificCredential: 1,
  UploadSSHPublicKey: 1,
  UploadSigningCertificate: 1,
  ChangePassword: 3,
  UpdateLoginProfile: 4,
  DeleteUser: 6,
  DeleteRole: 6,
  DeleteLoginProfile: 6,
  DeleteAccessKey: 6,
  DeleteServiceSpecificCredential: 6,
  DeleteSSHPublicKey: 6,
  DeleteSigningCertificate: 6,
  AttachUserPolicy: 7,
  PutUserPolicy: 7,
  AttachRolePolicy: 7,
  PutRolePolicy: 7,
  AddUserToGroup: 7,
  PutUserPermissionsBoundary: 7,
  PutRolePermissionsBoundary: 7,
  DetachUserPolicy: 8,
  DeleteUserPolicy: 8,
  DetachRolePolicy: 8,
  DeleteRolePolicy: 8,
  RemoveUserFromGroup: 8,
  DeleteUserPermissionsBoundary: 8,
  DeleteRolePermissionsBoundary: 8,
  EnableMFADevice: 10,
  DeactivateMFADevice: 11,
  UpdateUser: 99,
  UpdateRole: 99,
  UpdateAssumeRolePolicy: 99,
};

/** Federated sign-ins through STS: a SAML or OIDC identity provider authenticated someone. */
export const FEDERATED_SIGN_INS: Record<string, { protocolId: number; protocol: string }> = {
  AssumeRoleWithSAML: { protocolId: 5, protocol: 'SAML' },
  AssumeRoleWithWebIdentity: { protocolId: 4, protocol: 'OpenID' },
};

const VERBS: [RegExp, number][] = [
  [/^(Create|Add|Allocate|Register|Import|Run|Issue|Request|Generate|Copy|Upload|Publish|Send|Invoke)/, 1],
  [/^(Get|List|Describe|Lookup|Search|Scan|Query|Head|Select|BatchGet|View|Download|Decrypt|Check)/, 2],
  [
    /^(Update|Put|Modify|Set|Change|Attach|Associate|Enable|Disable|Start|Stop|Reset|Replace|Tag|Untag|Restore|Reboot|Apply|Assume|Encrypt)/,
    3,
  ],
  [/^(Delete|Remove|Terminate|Deregister|Revoke|Detach|Disassociate|Release|Cancel|Purge|Destroy)/, 4],
];

function accountChangeActivity(e: CloudTrailEvent): number | null {
  if (e.eventSource !== 'iam.amazonaws.com' || !e.eventName) return null;
  if (e.eventName === 'UpdateAccessKey') {
    const status = (e.requestParameters as { status?: unknown } | null)?.status;
    return status === 'Active' ? 2 : status === 'Inactive' ? 5 : 99;
  }
  return ACCOUNT_CHANGES[e.eventName] ?? null;
}

export function classify(e: CloudTrailEvent): OcsfClass {
  const name = e.eventName ?? '';
  const isSignIn = e.eventSource === 'signin.amazonaws.com' || e.eventType === 'AwsConsoleSignIn';
  if (isSignIn || (e.eventSource === 'sts.amazonaws.com' && name in FEDERATED_SIGN_INS)) {
    const activityId = ['ConsoleLogin', 'SwitchRole', ...Object.keys(FEDERATED_SIGN_INS)].includes(name)
      ? 1
      : name === 'ExitRole' || name === 'ConsoleLogout'
        ? 2
        : 99;
    return {
      classUid: 3002,
      className: 'Authentication',
      categoryUid: 3,
      categoryName: 'Identity & Access Management',
      activityId,
      activityName: AUTHENTICATION_ACTIVITIES[activityId] ?? 'Other',
    };
  }
  const change = accountChangeActivity(e);
  if (change !== null)
    return {
      classUid: 3001,
      className: 'Account Change',
      categoryUid: 3,
      categoryName: 'Identity & Access Management',
      activityId: change,
      activityName: ACCOUNT_CHANGE_ACTIVITIES[change] ?? 'Other',
    };
  const verb = VERBS.find(([re]) => re.test(name))?.[1];
  const activityId = verb ?? (e.readOnly === true ? 2 : 99);
  return {
    classUid: 6003,
    className: 'API Activity',
    categoryUid: 6,
    categoryName: 'Application Activity',
    activityId,
    activityName: API_ACTIVITIES[activityId] ?? 'Other',
  };
}
