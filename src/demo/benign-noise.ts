// The untidy parts of real trails: a mistyped console user name, throttled scripts.
import { cliAgent, BROWSER_WINDOWS } from './agents.js';
import { ec2Describe, logsFilterLogEvents } from './api-control.js';
import { HOUR, MINUTE, SECOND } from './format.js';
import { roleSessionIdentity, type Caller } from './identities.js';
import { DEV_REGION, GLOBAL_REGION, IPS, MANAGEMENT, PEOPLE, PROD_REGION, ROLES } from './org.js';
import { emitApi, failed, forkSink, type Sink } from './record.js';
import { officeWeight, sampleTimes } from './schedule.js';
import { consoleLogin } from './signin.js';
import { assumeRoleWithSaml } from './sts.js';

/** A wrong user name at the console sign-in page: AWS hides what was typed. */
function mistypedSignIn(sink: Sink): void {
  const times = sampleTimes(sink.rng, sink.start, sink.end, 0.6, officeWeight);
  const time = times[Math.floor(times.length / 2)] ?? sink.start + 10 * HOUR;
  const caller: Caller = {
    identity: {
      type: 'IAMUser',
      principalId: MANAGEMENT,
      accountId: MANAGEMENT,
      accessKeyId: '',
      userName: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    },
    sourceIp: IPS.dana,
    userAgent: BROWSER_WINDOWS,
  };
  consoleLogin(sink, {
    time,
    account: MANAGEMENT,
    caller,
    isMfa: false,
    failure: 'No username found in supplied account',
  });
}

/** Tight loops in a developer's script: CloudWatch Logs and EC2 start refusing with rate errors. */
function throttledScripts(sink: Sink): void {
  const person = PEOPLE.carlos;
  const sampled = sampleTimes(sink.rng, sink.start, sink.end, 0.8, officeWeight);
  // At least one script of each kind, whatever the window.
  const times =
    sampled.length >= 2 ? sampled : sampleTimes(sink.rng, sink.start, sink.end, 6, officeWeight).slice(0, 2);
  for (const [n, from] of times.entries()) {
    const isEc2 = n % 2 === 1;
    const role = isEc2 ? ROLES.ssoReadOnlyProd : ROLES.ssoDeveloperDev;
    const region = isEc2 ? PROD_REGION : DEV_REGION;
    const email = isEc2 ? PEOPLE.priya.email : person.email;
    const ip = isEc2 ? PEOPLE.priya.ip : person.ip;
    const { session } = assumeRoleWithSaml(sink, from, role, email, ip, GLOBAL_REGION);
    const caller: Caller = {
      identity: roleSessionIdentity(session),
      sourceIp: ip,
      userAgent: cliAgent(person.os),
    };
    let time = from + MINUTE;
    for (let i = sink.rng.int(20, 40); i > 0; i--) {
      time += sink.rng.int(100, 900);
      const api = isEc2
        ? ec2Describe('DescribeInstances')
        : logsFilterLogEvents('/webapp/application', time - HOUR, time);
      const isThrottled = i % 4 === 0 || sink.rng.chance(0.1);
      const throttled = isEc2
        ? failed(api, 'Client.RequestLimitExceeded', 'Request limit exceeded.')
        : failed(api, 'ThrottlingException', 'Rate exceeded');
      emitApi(
        sink,
        { time: time - (time % SECOND), caller, account: role.account, region },
        isThrottled ? throttled : api,
      );
    }
  }
}

export function generateNoise(sink: Sink): void {
  mistypedSignIn(forkSink(sink, 'mistyped'));
  throttledScripts(forkSink(sink, 'throttled'));
}
