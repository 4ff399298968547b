// Console sign-in events (signin.amazonaws.com ConsoleLogin), logged in us-east-1.
import type { JsonObject } from '../domain/json.js';
import type { Caller } from './identities.js';
import { GLOBAL_REGION } from './org.js';
import { emit, type Sink } from './record.js';

export interface ConsoleLoginInput {
  time: number;
  account: string;
  caller: Caller;
  isMfa: boolean;
  /** The MFA device ARN, when the user has one. */
  mfaIdentifier?: string;
  /** A failed sign-in: the reason AWS gives (e.g. `Failed authentication`). */
  failure?: string;
}

export function consoleLogin(sink: Sink, input: ConsoleLoginInput): JsonObject {
  const additional: JsonObject = {
    LoginTo:
      'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1',
    MobileVersion: 'No',
    ...(input.mfaIdentifier === undefined ? {} : { MFAIdentifier: input.mfaIdentifier }),
    MFAUsed: input.isMfa ? 'Yes' : 'No',
  };
  return emit(sink, {
    time: input.time,
    caller: input.caller,
    account: input.account,
    region: GLOBAL_REGION,
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    response: { ConsoleLogin: input.failure === undefined ? 'Success' : 'Failure' },
    additional,
    requestId: null,
    host: 'signin.aws.amazon.com',
    ...(input.failure === undefined ? {} : { error: { code: null, message: input.failure } }),
  });
}
