// Stateful rule semantics: threshold, new value and sequence give the same alerts whatever the order.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import type { CompiledRule } from '../../src/domain/rule.js';
import { detectInMemory } from '../../src/engine/evaluate-memory.js';
import { loadRuleText } from '../../src/rules/load.js';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';

function rule(id: string, body: string): CompiledRule {
  const text = `id: ${id}
title: ${id}
description: test
severity: medium
status: stable
tactics: [TA0007]
runbook: Decide whether this activity was expected.
${body}
tests:
  - { name: a, alert: true, event: {} }
  - { name: b, alert: false, event: {} }
`;
  const { rule: r, issues } = loadRuleText(text, `/r/${id}.yml`);
  if (!r) throw new Error(issues.map((i) => i.message).join('; '));
  return r;
}

const at = (minute: number): string =>
  new Date(Date.UTC(2024, 4, 1, 0, minute)).toISOString().replace('.000Z', 'Z');
let n = 0;
const rec = (minute: number, over: JsonObject = {}): JsonObject =>
  deepMerge({ ...BASE_TEST_RECORD, eventID: `e${++n}`, eventTime: at(minute) }, over);

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function alertSets(r: CompiledRule, records: JsonObject[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const seed of [1, 2, 3]) {
    const { alerts } = await detectInMemory([r], shuffle(records, seed));
    out.push(alerts.map((a) => `${a.id}:${a.count}:${a.eventIds.join(',')}`).sort());
  }
  return out;
}

describe('threshold', () => {
  const denied = rule(
    'denied-burst',
    `type: threshold
detection:
  denied: { errorCode: AccessDenied }
  condition: denied
threshold: { count: 3, window: 10m }
output: { groupBy: [userIdentity.arn] }`,
  );

  it('alerts when the count is reached in a fixed window, per group, in any order', async () => {
    const records = [
      rec(1, { errorCode: 'AccessDenied' }),
      rec(2, { errorCode: 'AccessDenied' }),
      rec(3, { errorCode: 'AccessDenied' }),
      rec(4, {
        errorCode: 'AccessDenied',
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob', userName: 'bob' },
      }),
      rec(12, { errorCode: 'AccessDenied' }), // next window: one alone
      rec(5),
    ];
    const sets = await alertSets(denied, records);
    expect(sets[0]).toHaveLength(1);
    expect(sets[0]?.[0]).toMatch(/:3:e\d+,e\d+,e\d+$/);
    expect(sets[1]).toEqual(sets[0]);
    expect(sets[2]).toEqual(sets[0]);
  });

  it('counts distinct values when asked', async () => {
    const distinct = rule(
      'many-secrets',
      `type: threshold
detection:
  get: { eventName: GetSecretValue }
  condition: get
threshold: { count: 3, distinct: requestParameters.secretId, window: 1h }`,
    );
    const same = [1, 2, 3, 4].map((m) =>
      rec(m, { eventName: 'GetSecretValue', requestParameters: { secretId: 'a' } }),
    );
    expect((await detectInMemory([distinct], same)).alerts).toHaveLength(0);
    const many = ['a', 'b', 'c'].map((id, m) =>
      rec(m, { eventName: 'GetSecretValue', requestParameters: { secretId: id } }),
    );
    expect((await detectInMemory([distinct], many)).alerts).toHaveLength(1);
  });
});

describe('new value', () => {
  const firstDenied = rule(
    'first-denied',
    `type: new-value
detection:
  denied: { errorCode: AccessDenied }
  condition: denied
newValue: { value: errorCode, learning: 1h }
output: { groupBy: [userIdentity.arn] }`,
  );

  it('alerts once for the first time after learning, never for values seen while learning', async () => {
    const bob = { type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob', userName: 'bob' };
    const records = [
      rec(0),
      rec(10, { errorCode: 'AccessDenied' }), // alice fails while learning: known
      rec(120, { errorCode: 'AccessDenied' }),
      rec(125, { errorCode: 'AccessDenied', userIdentity: bob }), // bob's first, after learning
      rec(130, { errorCode: 'AccessDenied', userIdentity: bob }),
    ];
    const sets = await alertSets(firstDenied, records);
    expect(sets[0]).toHaveLength(1);
    expect(sets[0]?.[0]).toMatch(/:2:/); // bob's two failures, one alert
    expect(new Set(sets.map((s) => s.join()))).toHaveProperty('size', 1);
  });
});

describe('sequence', () => {
  const adminUser = rule(
    'admin-user',
    `type: sequence
detection:
  create: { eventName: CreateUser }
  attach:
    eventName: AttachUserPolicy
    requestParameters.policyArn|endswith: /AdministratorAccess
sequence: { by: requestParameters.userName, window: 1h, steps: [create, attach] }`,
  );
  const create = (m: number, user: string) =>
    rec(m, { eventName: 'CreateUser', requestParameters: { userName: user } });
  const attach = (m: number, user: string) =>
    rec(m, {
      eventName: 'AttachUserPolicy',
      requestParameters: { userName: user, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    });

  it('alerts for ordered steps on one entity within the window, in any delivery order', async () => {
    const records = [
      create(0, 'backdoor'),
      attach(5, 'backdoor'),
      create(1, 'other'),
      attach(90, 'other'),
      attach(1, 'third'),
    ];
    const sets = await alertSets(adminUser, records);
    expect(sets[0]).toHaveLength(1);
    expect(new Set(sets.map((s) => s.join()))).toHaveProperty('size', 1);
  });

  it('does not alert for steps out of order', async () => {
    expect((await detectInMemory([adminUser], [attach(0, 'x'), create(5, 'x')])).alerts).toHaveLength(0);
  });
});
