// The rule language: conditions, modifiers, problems with file and line, Sigma, indexing.
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/domain/json.js';
import type { MatchView } from '../../src/domain/rule.js';
import {
  compileLogic,
  conditionLogic,
  ConditionError,
  logicAsClosures,
  type Condition,
  type Logic,
  expandPattern,
  parseCondition,
  referencedNames,
} from '../../src/rules/condition.js';
import {
  compileEntry,
  compileSharedEntry,
  endsWithLowered,
  equalsLowered,
  startsWithLowered,
} from '../../src/rules/modifiers.js';
import { loadRuleText } from '../../src/rules/load.js';
import { createRng } from '../../src/demo/random.js';

const record: JsonObject = {
  eventName: 'AuthorizeSecurityGroupIngress',
  sourceIPAddress: '203.0.113.9',
  userIdentity: { type: 'IAMUser', userName: 'Alice', arn: 'arn:aws:iam::1:user/Alice' },
  requestParameters: {
    userName: 'alice',
    count: 12,
    ipPermissions: {
      items: [{ fromPort: 22, ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '0.0.0.0/0' }] } }],
    },
  },
  responseElements: null,
};
/** A view of a record with an attribution of its own: rules read `actor.…` from it, the rest from the record. */
const viewOf = (
  r: JsonObject,
  actor: JsonObject = { type: 'IAMUser', origin: { id: 'alice' } },
): MatchView => ({
  record: r,
  actor,
  sessionNameCheck: null,
});
const view = viewOf(record);

function test(key: string, value: unknown, lists: Record<string, string[]> = {}): boolean {
  const issues: string[] = [];
  const t = compileEntry(key, value as JsonObject, {
    lists: new Map(Object.entries(lists)),
    issue: (m) => issues.push(m),
  });
  if (!t) throw new Error(issues.join('; '));
  return t(view);
}

describe('modifiers', () => {
  it('compares case-insensitively by default, with lists as any-of and wildcards', () => {
    expect(test('eventName', 'authorizesecuritygroupingress')).toBe(true);
    expect(test('eventName|cased', 'authorizesecuritygroupingress')).toBe(false);
    expect(test('eventName', ['CreateUser', 'AuthorizeSecurityGroupIngress'])).toBe(true);
    expect(test('eventName', 'Authorize*Ingress')).toBe(true);
    expect(test('eventName', 'Revoke*')).toBe(false);
  });

  it('supports substring, regex, cidr, numeric, exists, fieldref, list and all', () => {
    expect(test('userIdentity.arn|contains', ':user/')).toBe(true);
    expect(test('eventName|startswith', 'authorize')).toBe(true);
    expect(test('eventName|endswith', 'Egress')).toBe(false);
    expect(test('eventName|re', '^Authorize.+Ingress$')).toBe(true);
    expect(test('sourceIPAddress|cidr', ['203.0.113.0/24'])).toBe(true);
    expect(test('sourceIPAddress|cidr', '10.0.0.0/8')).toBe(false);
    expect(test('requestParameters.count|gt', 10)).toBe(true);
    expect(test('requestParameters.count|lte', 10)).toBe(false);
    expect(test('requestParameters.userName|exists', true)).toBe(true);
    expect(test('requestParameters.missing|exists', false)).toBe(true);
    expect(test('responseElements', null)).toBe(true);
    expect(test('requestParameters.userName|fieldref', 'userIdentity.userName')).toBe(true);
    expect(test('eventName|list', 'network', { network: ['AuthorizeSecurityGroupIngress'] })).toBe(true);
    expect(test('userIdentity.arn|contains|all', ['iam', 'alice'])).toBe(true);
    expect(test('userIdentity.arn|contains|all', ['iam', 'bob'])).toBe(false);
  });

  it('treats a list of plain values as one set lookup with the same answers', () => {
    const many = Array.from({ length: 300 }, (_, i) => `Other${i}`);
    expect(test('eventName', [...many, 'AUTHORIZESECURITYGROUPINGRESS'])).toBe(true);
    expect(test('eventName|cased', [...many, 'AUTHORIZESECURITYGROUPINGRESS'])).toBe(false);
    expect(test('eventName', [...many, '*Group*'])).toBe(true);
    expect(test('eventName', many)).toBe(false);
    // numbers and booleans compare as text; null matches an absent or null field
    expect(test('requestParameters.count', ['11', 12])).toBe(true);
    expect(test('requestParameters.absent', ['x', null])).toBe(true);
    expect(test('responseElements', ['x', null])).toBe(true);
    expect(test('eventName', ['x', null])).toBe(false);
    // a literal star escaped with a backslash is not a wildcard
    expect(test('eventName', ['Authorize\\*'])).toBe(false);
    expect(() => test('eventName', ['ok', 'Authorize*Ingress'], {})).not.toThrow();
  });

  it('compares a few values in place as lowercasing would, outside ASCII too', () => {
    // İ lowercases to two characters, the Kelvin sign to an ASCII k, ſ and ς to themselves.
    const pieces = [
      '\u212a',
      'a',
      'A',
      'z',
      'Z',
      '@',
      '[',
      'İ',
      'i̇',
      'i',
      'I',
      'K',
      'k',
      'ſ',
      's',
      'S',
      'Σ',
      'ς',
      'ß',
      '𐐀',
      '𐐨',
      '',
    ];
    const rng = createRng(11);
    const text = (): string => Array.from({ length: rng.int(0, 4) }, () => rng.pick(pieces)).join('');
    let equal = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = text();
      const wanted = rng.int(0, 2) ? text().toLowerCase() : a.toLowerCase();
      const expected = a.toLowerCase() === wanted;
      expect(equalsLowered(a, wanted), `${a} / ${wanted}`).toBe(expected);
      if (expected) equal++;
    }
    expect(equal).toBeGreaterThan(1000);
    // what equalsLowered's length rule rests on: lowercasing one code point never shortens it, and
    // lengthens only İ
    const longer: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const l = c.toLowerCase().length;
      if (l < c.length) throw new Error(`U+${cp.toString(16)} lowercases shorter`);
      if (l > c.length) longer.push(cp);
    }
    expect(longer).toEqual([0x130]);
    // starts and ends alike: against lowercasing then comparing, wanted texts cut from lowercased ones
    let starts = 0;
    let ends = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = text();
      const l = a.toLowerCase();
      const cut = rng.int(0, l.length);
      const head = rng.int(0, 2) ? l.slice(0, cut) : text().toLowerCase();
      const tail = rng.int(0, 2) ? l.slice(cut) : text().toLowerCase();
      expect(startsWithLowered(a, head), `${a} / ${head}`).toBe(l.startsWith(head));
      expect(endsWithLowered(a, tail), `${a} / ${tail}`).toBe(l.endsWith(tail));
      if (l.startsWith(head) && head) starts++;
      if (l.endsWith(tail) && tail) ends++;
    }
    expect(Math.min(starts, ends)).toBeGreaterThan(5000);
    // through an entry: one value, and the values of a list on the path
    const turkish = viewOf({ ...record, city: 'İstanbul', tags: ['Prod', 'SECRET'], none: [] });
    const entry = (key: string, value: unknown): boolean | undefined =>
      compileEntry(key, value as JsonObject, { lists: new Map(), issue: () => undefined })?.(turkish);
    expect(entry('city', ['Ankara', 'i̇stanbul'])).toBe(true);
    expect(entry('city', ['istanbul'])).toBe(false);
    expect(entry('tags', ['secret', 'x'])).toBe(true);
    expect(entry('tags', ['public'])).toBe(false);
    expect(entry('none', [null])).toBe(true);
    expect(entry('none|exists', true)).toBe(false);
    expect(entry('tags|exists', true)).toBe(true);
  });

  it('does not follow inherited properties of plain objects', () => {
    expect(test('requestParameters.constructor|exists', true)).toBe(false);
    expect(test('userIdentity.toString', null)).toBe(true);
  });

  it('looks into every element of arrays on the path', () => {
    expect(test('requestParameters.ipPermissions.items.ipRanges.items.cidrIp', '0.0.0.0/0')).toBe(true);
    expect(test('requestParameters.ipPermissions.items.fromPort', 22)).toBe(true);
  });

  it('reads actor and sessionNameCheck from attribution, every other path from the record', () => {
    const at = (key: string, value: unknown, v: MatchView): boolean | undefined =>
      compileEntry(key, value as JsonObject, { lists: new Map(), issue: () => undefined })?.(v);
    // a record's own `actor` key is not attribution: the view's actor answers
    const spoofed = viewOf({ ...record, actor: { origin: { id: 'mallory' } } }, { origin: { id: 'alice' } });
    expect(at('actor.origin.id', 'alice', spoofed)).toBe(true);
    expect(at('actor.origin.id', 'mallory', spoofed)).toBe(false);
    expect(at('actor|exists', true, viewOf(record, {}))).toBe(true);
    expect(
      at(
        'actor.chain.arn',
        'arn:aws:iam::1:role/b',
        viewOf(record, { chain: [{ arn: 'x' }, { arn: 'arn:aws:iam::1:role/B' }] }),
      ),
    ).toBe(true);
    const checked: MatchView = { record, actor: {}, sessionNameCheck: { hidesCaller: true } };
    expect(at('sessionNameCheck.hidesCaller', true, checked)).toBe(true);
    expect(at('sessionNameCheck.hidesCaller', true, view)).toBe(false);
    // field to field across the two: the record's user name against attribution's
    expect(
      at('requestParameters.userName|fieldref', 'actor.userName', viewOf(record, { userName: 'ALICE' })),
    ).toBe(true);
    expect(
      at('requestParameters.userName|fieldref', 'actor.userName', viewOf(record, { userName: 'bob' })),
    ).toBe(false);
    // a field is read once per view: other entries on it, other views, each get their own value
    const a = viewOf({ ...record, sourceIPAddress: 'ec2.amazonaws.com' });
    const b = viewOf({ ...record, sourceIPAddress: '198.51.100.7' });
    const order = [a, b, b, a, a, b];
    const answers = order.map((v) => [
      at('sourceIPAddress|endswith', '.amazonaws.com', v),
      at('sourceIPAddress', '198.51.100.7', v),
      at('sourceIPAddress|cidr', '198.51.100.0/24', v),
    ]);
    expect(answers).toEqual(order.map((v) => (v === a ? [true, false, false] : [false, true, true])));
  });

  it('rejects unknown and unsupported modifiers, bad regexes and bad networks', () => {
    expect(() => test('eventName|base64', 'x')).toThrow(/not supported/);
    expect(() => test('eventName|fuzzy', 'x')).toThrow(/unknown modifier/);
    expect(() => test('eventName|re', '(')).toThrow(/invalid regular expression/);
    expect(() => test('sourceIPAddress|cidr', '300.0.0.0/8')).toThrow(/invalid network/);
    expect(() => test('eventName|list', 'nope')).toThrow(/unknown list/);
  });

  it('shares an entry written alike in several rules and tests it once per event', () => {
    const ctx = (lists: Record<string, string[]> = {}) => ({
      lists: new Map(Object.entries(lists)),
      issue: () => undefined,
    });
    const a = compileSharedEntry('sourceIPAddress|endswith', '.amazonaws.com', ctx());
    expect(compileSharedEntry('sourceIPAddress|endswith', '.amazonaws.com', ctx())).toBe(a);
    expect(compileSharedEntry('sourceIPAddress|endswith', '.amazonaws.COM', ctx())).not.toBe(a);
    // the same list name with other contents is another entry
    const first = compileSharedEntry(
      'eventName|list',
      'names',
      ctx({ names: ['AuthorizeSecurityGroupIngress'] }),
    );
    const other = compileSharedEntry('eventName|list', 'names', ctx({ names: ['CreateUser'] }));
    expect(other).not.toBe(first);
    expect([first?.(view), other?.(view)]).toEqual([true, false]);
    // each event gets its own answer, whatever the order they come in
    const service = viewOf({ ...record, sourceIPAddress: 'ec2.amazonaws.com' });
    expect([a?.(service), a?.(view), a?.(service), a?.(view)]).toEqual([true, false, true, false]);
    // one event's field is read once, however many rules ask
    let reads = 0;
    const countedRecord: JsonObject = { ...record };
    const counted = viewOf(countedRecord);
    Object.defineProperty(countedRecord, 'sourceIPAddress', {
      enumerable: true,
      get: () => {
        reads++;
        return 's3.amazonaws.com';
      },
    });
    expect([a?.(counted), a?.(counted), a?.(counted)]).toEqual([true, true, true]);
    expect(reads).toBe(1);
    // an entry with a problem is reported by every rule that has it
    const issues: string[] = [];
    for (let i = 0; i < 2; i++)
      compileSharedEntry('eventName|re', '(', { lists: new Map(), issue: (m) => issues.push(m) });
    expect(issues).toHaveLength(2);
  });

  it('runs regular expressions in linear time', () => {
    const evil = viewOf({ ...record, eventName: `${'a'.repeat(50_000)}!` });
    const t = compileEntry('eventName|re', '^(a+)+$', { lists: new Map(), issue: () => undefined });
    const started = process.hrtime.bigint();
    expect(t?.(evil)).toBe(false);
    // a backtracking engine takes longer than the age of the universe here
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(10);
  });
});

/** A condition compiled as rules compile theirs, each selection one test. */
function compileCondition<V>(
  c: Condition,
  selection: (name: string) => ((view: V) => boolean) | undefined,
  names: readonly string[],
): (view: V) => boolean {
  const leaf = (n: string): Logic<V> | undefined => {
    const test = selection(n);
    return test ? { kind: 'test', test } : undefined;
  };
  return compileLogic(conditionLogic<V>(c, leaf, names));
}

describe('conditions', () => {
  const names = ['sel_a', 'sel_b', 'filter'];
  const run = (text: string, truth: Record<string, boolean>): boolean =>
    compileCondition<Record<string, boolean>>(
      parseCondition(text),
      (n) => (t) => t[n] ?? false,
      names,
    )(truth);

  it('gives not precedence over and over or, and honours parentheses', () => {
    expect(run('sel_a or sel_b and filter', { sel_a: true })).toBe(true);
    expect(run('(sel_a or sel_b) and filter', { sel_a: true })).toBe(false);
    expect(run('sel_a and not filter', { sel_a: true, filter: true })).toBe(false);
    expect(run('1 of sel_* and not filter', { sel_b: true })).toBe(true);
    expect(run('all of sel_*', { sel_a: true })).toBe(false);
    expect(run('all of them', { sel_a: true, sel_b: true, filter: true })).toBe(true);
  });

  it('expands a pattern per list of names, however often it is evaluated', () => {
    const other = ['sel_c', 'filter'];
    for (let i = 0; i < 3; i++) {
      expect(expandPattern('sel_*', names)).toEqual(['sel_a', 'sel_b']);
      expect(expandPattern('sel_*', other)).toEqual(['sel_c']);
      expect(expandPattern('them', other)).toEqual(other);
    }
    // the list a caller is given is its own: changing it changes no later expansion
    referencedNames(parseCondition('1 of sel_*'), names).push('filter');
    expect(run('1 of sel_*', { filter: true })).toBe(false);
  });

  /** The condition's meaning, walked for one truth of the selections. */
  const reference = (c: Condition, test: (name: string) => boolean, names: readonly string[]): boolean => {
    switch (c.kind) {
      case 'sel':
        return test(c.name);
      case 'not':
        return !reference(c.item, test, names);
      case 'and':
        return c.items.every((i) => reference(i, test, names));
      case 'or':
        return c.items.some((i) => reference(i, test, names));
      case 'of': {
        const matched = expandPattern(c.pattern, names);
        return c.quantifier === 'all' ? matched.length > 0 && matched.every(test) : matched.some(test);
      }
    }
  };

  it('answers as the condition reads when compiled once, for every truth of its selections', () => {
    const rng = createRng(11);
    const all = ['sel_a', 'sel_b', 'filter', 'other'];
    const texts = [
      'sel_a',
      'not sel_a',
      'sel_a or sel_b and filter',
      '(sel_a or sel_b) and not filter',
      'not (sel_a and sel_b) or other',
      '1 of sel_* and not filter',
      'all of sel_*',
      'all of nothing_*',
      '1 of nothing_* or other',
      'all of them',
      'missing or sel_a',
    ];
    for (const text of texts) {
      const condition = parseCondition(text);
      for (let i = 0; i < 40; i++) {
        const truth = Object.fromEntries(all.map((n) => [n, rng.chance(0.5)]));
        const compiled = compileCondition<Record<string, boolean>>(
          condition,
          (n) => (n === 'missing' ? undefined : (t) => t[n] ?? false),
          all,
        );
        expect([text, compiled(truth)]).toEqual([
          text,
          reference(condition, (n) => (n === 'missing' ? false : (truth[n] ?? false)), all),
        ]);
      }
    }
  });

  it('compiles any formula to a function whose text holds only its own names and operators', () => {
    type Truth = Record<string, boolean>;
    const rng = createRng(5);
    const leaves = ['a', 'b', 'c', "'); throw new Error('x'); ('", '__proto__'];
    const tests = new Map(leaves.map((n) => [n, (t: Truth) => t[n] ?? false]));
    const random = (depth: number): Logic<Truth> => {
      const pick = rng.int(0, depth > 3 ? 0 : 3);
      if (pick === 0) return { kind: 'test', test: tests.get(rng.pick(leaves)) as (t: Truth) => boolean };
      if (pick === 1) return { kind: 'not', item: random(depth + 1) };
      const items = Array.from({ length: rng.int(0, 3) }, () => random(depth + 1));
      return { kind: pick === 2 ? 'and' : 'or', items };
    };
    const meaning = (l: Logic<Truth>, t: Truth): boolean => {
      switch (l.kind) {
        case 'test':
          return l.test(t);
        case 'not':
          return !meaning(l.item, t);
        case 'and':
          return l.items.every((i) => meaning(i, t));
        case 'or':
          return l.items.some((i) => meaning(i, t));
      }
    };
    for (let i = 0; i < 300; i++) {
      const logic = random(0);
      const compiled = compileLogic(logic);
      expect(String(compiled)).toMatch(
        /^function \(v\) \{ return (?:t\[\d+\]\(v\)|true|false|[()!&| ])*; \}$/,
      );
      const slower = logicAsClosures(logic);
      for (let j = 0; j < 8; j++) {
        const truth = Object.fromEntries(leaves.map((n) => [n, rng.chance(0.5)]));
        expect([compiled(truth), slower(truth)]).toEqual([meaning(logic, truth), meaning(logic, truth)]);
      }
    }
  });

  it('reports malformed conditions and aggregations', () => {
    expect(() => parseCondition('sel_a and')).toThrow(ConditionError);
    expect(() => parseCondition('sel_a | count() > 5')).toThrow(/aggregations/);
    expect(() => parseCondition('(sel_a')).toThrow(ConditionError);
  });
});

const GOOD = `id: test-rule
title: Test rule
description: A rule for tests.
severity: low
status: stable
tactics: [TA0005]
techniques: [T1562.008]
runbook: Look at the event and decide what it means.
detection:
  stop:
    eventSource: cloudtrail.amazonaws.com
    eventName: [StopLogging, DeleteTrail]
  failed:
    errorCode|exists: true
  condition: stop and not failed
tests:
  - name: stops
    alert: true
    event: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging }
  - name: denied
    alert: false
    event: { eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, errorCode: AccessDenied }
`;

describe('loading rule files', () => {
  it('compiles a valid rule and indexes it by the event names its condition requires', () => {
    const { rule, issues } = loadRuleText(GOOD, '/rules/cloudtrail/test-rule.yml');
    expect(issues).toEqual([]);
    expect([...(rule?.eventNames ?? [])].sort()).toEqual(['deletetrail', 'stoplogging']);
    expect([...(rule?.eventSources ?? [])]).toEqual(['cloudtrail.amazonaws.com']);
  });

  it('renders titles from their placeholders, with ? for what the event lacks', () => {
    const titled = (title: string) =>
      loadRuleText(
        GOOD.replace(
          'condition: stop and not failed',
          `condition: stop and not failed\noutput: { title: '${title}' }`,
        ),
        '/rules/cloudtrail/test-rule.yml',
      ).rule;
    const event = viewOf({
      ...record,
      requestParameters: { ...(record.requestParameters as JsonObject), flag: true },
    });
    expect(titled('{eventName} by {userIdentity.userName}')?.title(event)).toBe(
      'AuthorizeSecurityGroupIngress by Alice',
    );
    expect(
      titled('Port {requestParameters.count}, {requestParameters.flag}, {nothing.here}!')?.title(event),
    ).toBe('Port 12, true, ?!');
    expect(titled('{sourceIPAddress}{sourceIPAddress}')?.title(event)).toBe('203.0.113.9203.0.113.9');
    expect(titled('No placeholder {here')?.title(event)).toBe('No placeholder {here');
    // attribution's fields from the view's actor, not from a record's key of that name
    const spoofed = viewOf({ ...record, actor: { origin: { id: 'mallory' } } });
    expect(titled('{actor.origin.id} as {actor.type}: {userIdentity.userName}')?.title(spoofed)).toBe(
      'alice as IAMUser: Alice',
    );
  });

  it('reports every problem with its line, not just the first', () => {
    const bad = GOOD.replace('severity: low', 'severity: urgent')
      .replace('tactics: [TA0005]', 'tactics: [defense-evasion]')
      .replace('condition: stop and not failed', 'condition: stop and not failed and nothere')
      .replace('errorCode|exists: true', 'errorCode|fuzzy: true');
    const { rule, issues } = loadRuleText(bad, '/rules/cloudtrail/test-rule.yml');
    expect(rule).toBeNull();
    const found = issues.map((i) => [i.line, i.message.split(' ')[0]]);
    expect(found).toEqual(
      expect.arrayContaining([
        [4, "'severity'"],
        [6, 'tactic'],
        [14, 'unknown'],
        [15, 'condition'],
      ]),
    );
  });

  it('warns about selections nothing uses', () => {
    const { rule, issues } = loadRuleText(
      GOOD.replace(
        '  condition: stop and not failed',
        '  spare: { eventName: X }\n  condition: stop and not failed',
      ),
      '/rules/cloudtrail/test-rule.yml',
    );
    expect(rule).not.toBeNull();
    expect(issues.map((i) => [i.severity, i.message])).toEqual([
      ['warning', "selection 'spare' is not used by the condition, a sequence step or a severity raise"],
    ]);
  });

  it('requires the id to be the file name and tests of both kinds', () => {
    const { issues } = loadRuleText(GOOD.replace(/tests:[\s\S]*$/, 'tests: []\n'), '/rules/x/other-name.yml');
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([
        "id 'test-rule' must equal the file name 'other-name'",
        expect.stringContaining('tests need at least one case that alerts and one that does not') as string,
      ]),
    );
  });

  it('reads Sigma rules as they are and reports what it cannot run', () => {
    const sigma = `title: AWS CloudTrail Important Change
id: 4db60cc0-36fb-42b7-9b58-a5b53019fb74
status: test
description: Detects disabling, deleting and updating of a Trail
tags:
  - attack.defense-evasion
  - attack.t1562.001
logsource:
  product: aws
  service: cloudtrail
detection:
  selection_source:
    eventSource: cloudtrail.amazonaws.com
    eventName:
      - StopLogging
      - UpdateTrail
      - DeleteTrail
  condition: selection_source
falsepositives:
  - Valid change in a Trail
level: medium
`;
    const { rule, issues } = loadRuleText(sigma, '/sigma/aws_cloudtrail_disable_logging.yml');
    expect(issues).toEqual([]);
    expect(rule?.meta).toMatchObject({
      id: 'aws_cloudtrail_disable_logging',
      format: 'sigma',
      severity: 'medium',
      status: 'test',
      tactics: ['TA0005'],
      techniques: ['T1562.001'],
      equivalents: { sigma: ['4db60cc0-36fb-42b7-9b58-a5b53019fb74'] },
    });
    const counting = sigma.replace(
      'condition: selection_source',
      'condition: selection_source | count() by userIdentity.arn > 5',
    );
    expect(
      loadRuleText(counting, '/sigma/x.yml')
        .issues.map((i) => i.message)
        .join(),
    ).toMatch(/aggregations/);
    const other = sigma.replace('service: cloudtrail', 'service: guardduty');
    expect(
      loadRuleText(other, '/sigma/x.yml')
        .issues.map((i) => i.message)
        .join(),
    ).toMatch(/only logsource/);
  });
});
