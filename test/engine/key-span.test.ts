// The span an alert key's matches lie in: what evaluation bounds its reads of the store by.
import { describe, expect, it } from 'vitest';
import type { CompiledRule } from '../../src/domain/rule.js';
import { detectInMemory } from '../../src/engine/evaluate-memory.js';
import { hashKey, keySpan } from '../../src/engine/match.js';
import { BASE_TEST_RECORD, deepMerge } from '../../src/rules/base-record.js';
import { loadRuleText } from '../../src/rules/load.js';

const DENIED = 'detection:\n  denied: { errorCode: AccessDenied }\n  condition: denied';

function rule(body: string, detection = DENIED): CompiledRule {
  const { rule: r, issues } = loadRuleText(
    `id: span-rule
title: Span
description: test
severity: low
status: stable
tactics: [TA0007]
runbook: Decide whether this activity was expected.
${body}
${detection}
tests:
  - { name: a, alert: true, event: { errorCode: AccessDenied } }
  - { name: b, alert: false, event: {} }
`,
    '/r/span-rule.yml',
  );
  if (!r) throw new Error(issues.map((i) => i.message).join('; '));
  return r;
}

const HOUR = 3_600_000;
const T = Date.parse('2024-05-01T10:00:00Z');

describe('keySpan', () => {
  it("is a threshold key's counting window, from its first to its last millisecond", () => {
    const r = rule('type: threshold\nthreshold: { count: 3, window: 1h }');
    for (const t of [T, T + 1, T + HOUR - 1]) expect(keySpan(r, t)).toEqual({ from: T, to: T + HOUR - 1 });
    expect(keySpan(r, T + HOUR)).toEqual({ from: T + HOUR, to: T + 2 * HOUR - 1 });
  });

  it("is a match key's dedup window", () => {
    const r = rule('type: match\noutput: { title: t, dedup: 1d }');
    const day = Date.parse('2024-05-01T00:00:00Z');
    expect(keySpan(r, T)).toEqual({ from: day, to: day + 24 * HOUR - 1 });
  });

  it('is all time for new-value and sequence keys', () => {
    expect(
      keySpan(rule('type: new-value\nnewValue: { value: userIdentity.arn, learning: 7d }'), T),
    ).toBeNull();
    const sequence = rule(
      'type: sequence\nsequence: { by: userIdentity.arn, window: 1h, steps: [denied, listed] }',
      'detection:\n  denied: { errorCode: AccessDenied }\n  listed: { eventName: ListBuckets }\n  condition: denied or listed',
    );
    expect(keySpan(sequence, T)).toBeNull();
  });
});

describe('alert keys', () => {
  it('stay what earlier versions stored: the first 24 hex digits of the SHA-256 of the parts', () => {
    // Stored matches and alerts are found again by these keys: a change of digest would split an
    // alert's matches across an upgrade.
    expect(hashKey('first-listing', 'arn:aws:iam::1:user/x', 1700)).toBe('43037e9c887935b38e5a5a26');
    expect(hashKey('first-listing', 'arn:aws:iam::1:user/x', 1701)).not.toBe('43037e9c887935b38e5a5a26');
  });
});

describe("a match's alert key", () => {
  it('is the digest of its rule, group and window (or value), whatever the matches before it', async () => {
    // A rule's last key is used again when group and window are the last's: runs of one group,
    // groups alternating, windows crossing and values changing must each get their own key.
    const threshold = rule('type: threshold\nthreshold: { count: 3, window: 1h }');
    const newValue = rule(
      'type: new-value\nnewValue: { value: eventName, learning: 1h }',
      'detection:\n  denied: { errorCode: AccessDenied }\n  condition: denied',
    );
    const users = ['alice', 'alice', 'bob', 'alice', 'alice', 'bob', 'bob', 'alice'];
    const minutes = [0, 1, 2, 59, 60, 61, 125, 126];
    const names = [
      'ListBuckets',
      'ListBuckets',
      'GetObject',
      'GetObject',
      'ListBuckets',
      'PutObject',
      'PutObject',
      'ListBuckets',
    ];
    const records = users.map((u, i) =>
      deepMerge(
        {
          ...BASE_TEST_RECORD,
          eventID: `k${i}`,
          eventTime: new Date(T + (minutes[i] ?? 0) * 60_000).toISOString(),
        },
        {
          errorCode: 'AccessDenied',
          eventName: names[i] ?? '',
          userIdentity: { type: 'IAMUser', userName: u, arn: `arn:aws:iam::111122223333:user/${u}` },
        },
      ),
    );
    for (const r of [threshold, newValue]) {
      const { matches } = await detectInMemory([r], records);
      expect(matches).toHaveLength(records.length);
      for (const m of matches) {
        const part = r.type === 'threshold' ? Math.floor(m.eventTime / HOUR) : (m.value ?? '');
        expect(m.alertKey, `${m.eventId} ${m.groupKey}`).toBe(hashKey(r.meta.id, m.groupKey, part));
      }
      // alice and bob in hours 10, 11 and 12; alice's two names and bob's two
      expect(new Set(matches.map((m) => m.alertKey)).size).toBe(r.type === 'threshold' ? 6 : 4);
    }
  });
});
