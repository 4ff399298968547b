// Compiles one selection entry (`field|modifier…: value`) into a test over a match view.
import { BlockList, isIP } from 'node:net';
import { RE2JS } from 're2js';
import { withLiteralPretest } from './regex-literals.js';
import { jsonText, type Json } from '../domain/json.js';
import type { MatchView } from '../domain/rule.js';
import { oneValueIn, SEVERAL, valuesIn, viewField } from './fields.js';

export type Test = (view: MatchView) => boolean;

export interface EntryContext {
  lists: ReadonlyMap<string, readonly string[]>;
  /** Reports a problem with this entry; compilation goes on. */
  issue(message: string): void;
}

/** The modifiers a selection entry may use. */
export const MODIFIERS: ReadonlySet<string> = new Set([
  'contains',
  'startswith',
  'endswith',
  're',
  'exists',
  'cidr',
  'gt',
  'gte',
  'lt',
  'lte',
  'fieldref',
  'list',
  'all',
  'cased',
]);
const SIGMA_UNSUPPORTED = new Set([
  'base64',
  'base64offset',
  'utf16',
  'utf16le',
  'utf16be',
  'wide',
  'windash',
  'expand',
]);

function asText(v: Json): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function escapeRe(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, (c) => `\\${c}`);
}

/** A Sigma-style wildcard value (`*`, `?`; `\*` is a literal star) as a linear-time regex. */
function globToRe(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\' && i + 1 < glob.length && '*?\\'.includes(glob[i + 1] ?? ''))
      out += escapeRe(glob[++i] ?? '');
    else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else out += escapeRe(c);
  }
  return `^${out}$`;
}

/** Lowercased texts kept before the table starts over, and the longest text kept. */
const LOWERED_SIZE = 16_384;
const LOWERED_LENGTH = 256;
let lowered = new Map<string, string>();

/**
 * A text lowercased, remembered: field values repeat (event names, identity types, addresses), and
 * lowercasing one for each test that compares it made a new string every time.
 */
function lower(s: string): string {
  if (s.length > LOWERED_LENGTH) return s.toLowerCase();
  let l = lowered.get(s);
  if (l === undefined) {
    l = s.toLowerCase();
    if (lowered.size >= LOWERED_SIZE) lowered = new Map();
    lowered.set(s, l);
  }
  return l;
}

/** Up to this many values, `field: [a, b, …]` compares each in place rather than asking a set. */
const FEW = 8;

/** The one character whose lowercase is longer than itself (İ: i and a combining dot). */
const LENGTHENS = '\u0130';

/**
 * Whether `a` begins with `wanted` (lowercase already), ASCII case folded in place; undefined when
 * a character outside ASCII comes first, which only lowercasing the whole text can answer. Read
 * from the start: the ASCII characters before a mismatch keep their places when `a` is lowercased.
 */
function foldedPrefix(a: string, wanted: string): boolean | undefined {
  for (let i = 0; i < wanted.length; i++) {
    let c = a.charCodeAt(i);
    if (c > 127) return undefined;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== wanted.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Whether `a` lowercased is `wanted` (lowercase already), without lowercasing an ASCII value: only
 * a value with other characters is lowercased, and compared whole. Lowercasing never shortens a text
 * and lengthens it only for İ (a test checks every code point), so most values that differ are
 * told apart by their length alone.
 */
export function equalsLowered(a: string, wanted: string): boolean {
  if (a.length !== wanted.length)
    return a.length < wanted.length && a.includes(LENGTHENS) && lower(a) === wanted;
  return foldedPrefix(a, wanted) ?? lower(a) === wanted;
}

/** Whether `a` lowercased starts with `wanted` (lowercase already), ASCII compared in place. */
export function startsWithLowered(a: string, wanted: string): boolean {
  if (a.length < wanted.length) return a.includes(LENGTHENS) && lower(a).startsWith(wanted);
  return foldedPrefix(a, wanted) ?? lower(a).startsWith(wanted);
}

/**
 * Whether `a` lowercased ends with `wanted` (lowercase already), ASCII compared in place. Read from
 * the end, unlike `foldedPrefix`: a lengthening character moves what comes before it, not after.
 */
export function endsWithLowered(a: string, wanted: string): boolean {
  const n = a.length;
  const m = wanted.length;
  if (n < m) return a.includes(LENGTHENS) && lower(a).endsWith(wanted);
  for (let i = 1; i <= m; i++) {
    let c = a.charCodeAt(n - i);
    if (c > 127) return lower(a).endsWith(wanted);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== wanted.charCodeAt(m - i)) return false;
  }
  return true;
}

/** Values a memoized test remembers before it starts over (field values repeat: ARNs, addresses). */
const MEMO_SIZE = 4096;

/**
 * A pure test of a text, remembering its answers: a regex or network test costs microseconds, and the
 * same few thousand ARNs and addresses come back on most events.
 */
function memoized(test: (s: string) => boolean): (s: string) => boolean {
  let known = new Map<string, boolean>();
  return (s) => {
    const hit = known.get(s);
    if (hit !== undefined) return hit;
    const result = test(s);
    if (known.size >= MEMO_SIZE) known = new Map();
    known.set(s, result);
    return result;
  };
}

function compileRe(source: string, cased: boolean, ctx: EntryContext): ((s: string) => boolean) | null {
  try {
    const re = RE2JS.compile(source, cased ? 0 : RE2JS.CASE_INSENSITIVE | RE2JS.DOTALL);
    return memoized(withLiteralPretest(source, (s) => re.matcher(s).find()));
  } catch (err) {
    ctx.issue(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
    return null;
  }
}

function cidrTest(networks: string[], ctx: EntryContext): ((s: string) => boolean) | null {
  // A /0 network holds every address of its family: no need for the block list.
  if (networks.every((n) => /^[^/]+\/0$/.test(n))) {
    const families = new Set(networks.map((n) => isIP(n.split('/')[0] ?? '')));
    if (!families.has(0)) return memoized((s) => families.has(isIP(s)));
  }
  const list = new BlockList();
  for (const n of networks) {
    const [addr = '', bits] = n.split('/');
    const family = isIP(addr);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      ctx.issue(`invalid network ${JSON.stringify(n)} (expected e.g. 10.0.0.0/8 or 2001:db8::/32)`);
      return null;
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return memoized((s) => {
    const family = isIP(s);
    return family !== 0 && list.check(s, family === 6 ? 'ipv6' : 'ipv4');
  });
}

/** Wildcards that are only a leading or trailing `*` are substring tests; others become a regex. */
function globTest(glob: string, cased: boolean, ctx: EntryContext): ((s: string) => boolean) | null {
  const inner = glob.replace(/^\*/, '').replace(/\*$/, '');
  if (!/[*?\\]/.test(inner)) {
    const want = cased ? inner : inner.toLowerCase();
    const norm = (s: string): string => (cased ? s : lower(s));
    const starts = glob.startsWith('*');
    const ends = glob.endsWith('*') && glob.length > 1;
    if (starts && ends) return (s) => norm(s).includes(want);
    if (starts) return cased ? (s) => s.endsWith(want) : (s) => endsWithLowered(s, want);
    if (ends) return cased ? (s) => s.startsWith(want) : (s) => startsWithLowered(s, want);
  }
  return compileRe(globToRe(glob), cased, ctx);
}

/** The view a field-to-field test reads before it is given one (it is always given one). */
const NO_VIEW: MatchView = { record: {}, actor: {}, sessionNameCheck: null };

/** One expected value as a test of one field value (already text). */
function valueTest(
  expected: Json,
  mods: Set<string>,
  ctx: EntryContext,
  view: () => MatchView,
): ((actual: Json) => boolean) | null {
  const cased = mods.has('cased');
  const norm = (s: string): string => (cased ? s : lower(s));
  if (expected === null) return (actual) => actual === null;
  const want = asText(expected) ?? '';
  if (mods.has('gt') || mods.has('gte') || mods.has('lt') || mods.has('lte')) {
    const limit = Number(want);
    if (!Number.isFinite(limit)) {
      ctx.issue(`numeric comparison needs a number, found ${JSON.stringify(expected)}`);
      return null;
    }
    return (actual) => {
      const n = typeof actual === 'number' ? actual : Number(asText(actual));
      if (actual === null || !Number.isFinite(n)) return false;
      if (mods.has('gt')) return n > limit;
      if (mods.has('gte')) return n >= limit;
      if (mods.has('lt')) return n < limit;
      return n <= limit;
    };
  }
  if (mods.has('fieldref')) {
    const other = viewField(want);
    return (actual) => {
      const a = asText(actual);
      return (
        a !== null &&
        valuesIn(view(), other).some((v) => asText(v) !== null && norm(asText(v) ?? '') === norm(a))
      );
    };
  }
  const wanted = norm(want);
  let textTest: ((s: string) => boolean) | null;
  if (mods.has('re')) textTest = compileRe(want, cased, ctx);
  else if (mods.has('cidr')) textTest = cidrTest([want], ctx);
  else if (mods.has('contains')) textTest = (s) => norm(s).includes(wanted);
  else if (mods.has('startswith'))
    textTest = cased ? (s) => s.startsWith(wanted) : (s) => startsWithLowered(s, wanted);
  else if (mods.has('endswith'))
    textTest = cased ? (s) => s.endsWith(wanted) : (s) => endsWithLowered(s, wanted);
  else if (/(^|[^\\])[*?]/.test(want)) textTest = globTest(want, cased, ctx);
  else textTest = (s) => norm(s) === wanted;
  if (!textTest) return null;
  const t = textTest;
  return (actual) => {
    const a = asText(actual);
    return a !== null && t(a);
  };
}

/**
 * `field: [a, b, …]` without modifiers: one lookup in a set of the lowercased values instead of one
 * comparison per value (lists run to hundreds of entries). Wildcard values keep their own tests.
 */
function anyOfEquals(field: string, expected: Json[], cased: boolean, ctx: EntryContext): Test | null {
  const norm = (s: string): string => (cased ? s : lower(s));
  const exact = new Set<string>();
  const patterns: ((s: string) => boolean)[] = [];
  let nullWanted = false;
  for (const e of expected) {
    if (e === null) nullWanted = true;
    else {
      const want = asText(e) ?? '';
      if (!/(^|[^\\])[*?]/.test(want)) exact.add(norm(want));
      else {
        const t = globTest(want, cased, ctx);
        if (!t) return null;
        patterns.push(t);
      }
    }
  }
  // Lists of patterns (user agents, tool names) run to dozens, each lowercasing the value again; the
  // values they test (user agents, names) repeat, so each one's answer is kept.
  const anyPattern = patterns.length ? memoized((a) => patterns.some((t) => t(a))) : () => false;
  // A few values (most entries name one to three) are compared in place, without a lowercased copy.
  const few = !cased && exact.size <= FEW ? [...exact] : null;
  const one = (v: Json): boolean => {
    if (v === null) return nullWanted;
    const a = asText(v) ?? '';
    if (few) {
      for (const w of few) if (equalsLowered(a, w)) return true;
      return anyPattern(a);
    }
    return exact.has(norm(a)) || anyPattern(a);
  };
  const at = viewField(field);
  return (view) => {
    const single = oneValueIn(view, at);
    if (single !== SEVERAL) return single === undefined ? nullWanted : one(single);
    const actual = valuesIn(view, at);
    return actual.length ? actual.some(one) : nullWanted;
  };
}

/** Compiles `field|mods: value`; null (with an issue reported) when it cannot be compiled. */
export function compileEntry(key: string, value: Json, ctx: EntryContext): Test | null {
  const [field = '', ...modList] = key.split('|');
  const mods = new Set(modList.map((m) => m.toLowerCase()));
  for (const m of mods) {
    if (SIGMA_UNSUPPORTED.has(m))
      ctx.issue(`modifier '${m}' is not supported for CloudTrail (field ${field})`);
    else if (!MODIFIERS.has(m)) ctx.issue(`unknown modifier '${m}' (known: ${[...MODIFIERS].join(', ')})`);
  }
  if ([...mods].some((m) => !MODIFIERS.has(m))) return null;
  if (!field) {
    ctx.issue(`entry '${key}' has no field name`);
    return null;
  }
  if (mods.has('exists')) {
    if (typeof value !== 'boolean') {
      ctx.issue(`'${field}|exists' takes true or false, found ${JSON.stringify(value)}`);
      return null;
    }
    const at = viewField(field);
    return (view) => {
      const single = oneValueIn(view, at);
      const present =
        single === SEVERAL
          ? valuesIn(view, at).some((v) => v !== null)
          : single !== undefined && single !== null;
      return present === value;
    };
  }
  let expected: Json[] = Array.isArray(value) ? value : [value];
  if (mods.has('list')) {
    const unknown = expected.filter((name) => !ctx.lists.has(jsonText(name)));
    for (const name of unknown) ctx.issue(`unknown list '${jsonText(name)}' (declare it under lists:)`);
    if (unknown.length) return null;
    expected = expected.flatMap((name) => [...(ctx.lists.get(jsonText(name)) ?? [])]);
  }
  if (mods.has('cidr') && !mods.has('all') && expected.length > 1) {
    // One block list for all networks instead of one per network.
    const inAny = cidrTest(expected.map(jsonText), ctx);
    if (!inAny) return null;
    const at = viewField(field);
    return (view) => {
      const single = oneValueIn(view, at);
      if (single !== SEVERAL) return typeof single === 'string' && inAny(single);
      return valuesIn(view, at).some((v) => typeof v === 'string' && inAny(v));
    };
  }
  if (mods.has('re') && !mods.has('all') && expected.length > 1)
    expected = [expected.map((e) => `(?:${jsonText(e)})`).join('|')];
  const isAll = mods.has('all');
  const plain = [...mods].every((m) => m === 'list' || m === 'cased');
  if (!isAll && plain) return anyOfEquals(field, expected, mods.has('cased'), ctx);
  let current: MatchView = NO_VIEW;
  const tests = expected
    .map((e) => valueTest(e, mods, ctx, () => current))
    .filter((t): t is (a: Json) => boolean => t !== null);
  if (tests.length !== expected.length) return null;
  const absent: Json[] = [null];
  const at = viewField(field);
  return (view) => {
    current = view;
    const single = oneValueIn(view, at);
    if (single !== SEVERAL) {
      // One value (null when absent): the first test whose answer differs from `all`'s decides.
      const v = single === undefined ? null : single;
      for (const t of tests) if (t(v) !== isAll) return !isAll;
      return isAll;
    }
    const actual = valuesIn(view, at);
    const values = actual.length ? actual : absent;
    // Loops, not some/every with closures: this runs for every entry of every rule an event meets.
    for (const t of tests) {
      let holds = false;
      for (const v of values)
        if (t(v)) {
          holds = true;
          break;
        }
      if (holds !== isAll) return holds;
    }
    return isAll;
  };
}

/** Distinct entries kept for sharing before the table starts over (a pack has a few hundred). */
const SHARED_ENTRIES = 10_000;
let sharedEntries = new Map<string, Test>();

/**
 * A test that answers each view once: the last view it saw and its answer are kept, and a view is
 * one event's, built once and never changed (engine/view.ts).
 */
function oncePerView(test: Test): Test {
  let last: MatchView | null = null;
  let answer = false;
  return (view) => {
    if (view !== last) {
      answer = test(view);
      last = view;
    }
    return answer;
  };
}

/**
 * `compileEntry`, with entries written alike in several rules compiled once and tested once per
 * event: the rules that meet every event repeat the same entries (the AWS-service address tests,
 * the authorization error codes, the read-only event names), and each used to test them again. The
 * entry's text, its value and the contents of the lists it names make it the same entry; one that
 * reported an issue is not shared, so each rule reports its own.
 */
export function compileSharedEntry(key: string, value: Json, ctx: EntryContext): Test | null {
  const named = /\|list(\||$)/i.test(key)
    ? (Array.isArray(value) ? value : [value]).map((n) => ctx.lists.get(jsonText(n)) ?? null)
    : null;
  const id = JSON.stringify([key, value, named]);
  const known = sharedEntries.get(id);
  if (known) return known;
  let issues = 0;
  const test = compileEntry(key, value, {
    lists: ctx.lists,
    issue: (m) => {
      issues++;
      ctx.issue(m);
    },
  });
  if (!test || issues) return test;
  const shared = oncePerView(test);
  if (sharedEntries.size >= SHARED_ENTRIES) sharedEntries = new Map();
  sharedEntries.set(id, shared);
  return shared;
}
