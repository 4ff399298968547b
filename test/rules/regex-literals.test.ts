// The literal pre-test of regexes: it may only rule out values the regex cannot match.
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { requiredLiteralSets, requiredLiterals, withLiteralPretest } from '../../src/rules/regex-literals.js';

describe('required literals of a regex', () => {
  it('finds the longest plain run of each alternative, lowercased', () => {
    expect(requiredLiterals(':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')).toEqual([':assumed-role/']);
    expect(requiredLiterals('(?:(^|/)[^/]*Ransom[_ .-]?(note|readme)\\.txt$)|(?:wallet\\.dat)')).toEqual([
      'ransom',
      'wallet.dat',
    ]);
    expect(requiredLiterals('abc?def')).toEqual(['def']);
    expect(requiredLiterals('x{2}yyyz+q')).toEqual(['yyy']);
    expect(requiredLiterals('[abc]def(ghi)?jkl')).toEqual(['def']);
    // A group that must be there requires one of its alternatives.
    expect(requiredLiterals('^(Create|Delete)\\d')).toEqual(['create', 'delete']);
    expect(requiredLiterals('(^|/)[^/]*(your|all)[_ .-]?(files|data)')).toEqual(['files', 'data']);
    // A longer single literal rules out more than a set of shorter ones.
    expect(requiredLiterals('(your|all)[_ .-]?(files|data)[^/]*\\.txt$')).toEqual(['.txt']);
  });

  it('keeps every requirement of an alternative, and the pre-test asks them all', () => {
    expect(requiredLiteralSets(':assumed-role/[^/]+/i-[0-9a-f]{8,17}$')).toEqual([
      [[':assumed-role/'], ['/i-']],
    ]);
    expect(requiredLiteralSets('^(Create|Delete)User(Policy)?x{2}|wallet\\.dat')).toEqual([
      [['create', 'delete'], ['user']],
      [['wallet.dat']],
    ]);
    // A group of one alternative (as `|list` joins its entries) requires all that alternative does.
    expect(requiredLiteralSets('(?:(^|/)[^/]*ransom[_ .-]?(note|readme)\\.txt$)|(?:wallet\\.dat)')).toEqual([
      [['ransom'], ['.txt'], ['note', 'readme']],
      [['wallet.dat']],
    ]);
    const src = ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$';
    const asked: string[] = [];
    const re = RE2JS.compile(src, RE2JS.CASE_INSENSITIVE | RE2JS.DOTALL);
    const fast = withLiteralPretest(src, (s) => {
      asked.push(s);
      return re.matcher(s).find();
    });
    // A role session's ARN without `/i-` is ruled out without the regex.
    expect(fast('arn:aws:sts::111122223333:assumed-role/Deploy/ci-run-42')).toBe(false);
    expect(fast('arn:aws:sts::111122223333:assumed-role/Web/i-0123456789abcdef0')).toBe(true);
    expect(fast('arn:aws:sts::111122223333:assumed-role/Web/I-0123456789ABCDEF0')).toBe(true);
    expect(asked).toEqual([
      'arn:aws:sts::111122223333:assumed-role/Web/i-0123456789abcdef0',
      'arn:aws:sts::111122223333:assumed-role/Web/I-0123456789ABCDEF0',
    ]);
  });

  it('gives up where it cannot be sure', () => {
    for (const src of [
      '^(Cr|De)x',
      'foo|ba',
      'a\\x41bc',
      '(?i)foo',
      '\\Qa.b\\E',
      'a\\d{3}b',
      '(?=abc)',
      '(abc',
    ])
      expect(requiredLiterals(src), src).toBeNull();
  });

  it('never rules out a value the regex matches (built-in pack patterns, random values)', () => {
    const patterns = [
      ':assumed-role/[^/]+/i-[0-9a-f]{8,17}$',
      '(?:(^|/)[^/]*ransom[_ .-]?(note|info|instructions?|readme)[^/]*\\.(txt|html?|hta|rtf)$)|(?:\\.locked$)',
      '^arn:aws:iam::.*:role/OrganizationAccountAccessRole$',
      'ab+c{2,}de?f',
      '(x|y)zz[0-9]+q\\.r',
      '(^|/)[^/]*(decrypt|unlock)[_ .-]?((your|my|all)[_ .-]?)?(files|data)[^/]*\\.(txt|html?)$',
      // entries of a list joined as `|re|list` joins them, each a group of one alternative
      [
        '(^|/)[^/]*how[_ .-]?to[_ .-]?(decrypt|restore|get[_ .-]?back)[^/]*\\.(txt|html?)$',
        '(^|/)[^/]*(your|all)[_ .-]?(files|data)[_ .-]?((are|were)[_ .-]?)?(encrypted|locked)[^/]*\\.txt$',
        '(^|/)[^/]*read[_ .-]?(me|this)[_ .-]?(first|now)[^/]*\\.(txt|hta)$',
      ]
        .map((e) => `(?:${e})`)
        .join('|'),
    ];
    const pieces = [
      'ransom',
      'RANSOM',
      'ranſom',
      'note',
      '.txt',
      '.locked',
      ':assumed-role/',
      'Role/',
      'i-0123abcd',
      ':role/',
      'OrganizationAccountAccessRole',
      'arn:aws:iam::1',
      'abbccdef',
      ':assumed-role/Web/i-0123abcd',
      'x/Ransom_Note.txt',
      'x/ranſom_note.txt',
      'unlock_your_FILES.HTM',
      'how_to_',
      'Get back',
      'restore',
      'all-data',
      'were ',
      'ENCRYPTED',
      'read-me_',
      'first',
      '.hta',
      'data/1e/',
      'decrypt',
      'data.txt',
      'arn:aws:iam::1:role/OrganizationAccountAccessRole',
      'xzz9q.r',
      '/',
      '_',
      'K',
      'ſ',
      '-',
    ];
    let seed = 7;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    for (const src of patterns) {
      const re = RE2JS.compile(src, RE2JS.CASE_INSENSITIVE | RE2JS.DOTALL);
      const plain = (s: string): boolean => re.matcher(s).find();
      const fast = withLiteralPretest(src, plain);
      let matched = 0;
      for (let i = 0; i < 3000; i++) {
        const value = Array.from({ length: 1 + rand(6) }, () => pieces[rand(pieces.length)]).join('');
        expect(fast(value), `${src} on ${value}`).toBe(plain(value));
        if (plain(value)) matched++;
      }
      expect(matched, src).toBeGreaterThan(0);
    }
  });
});
