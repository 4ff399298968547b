// Required literals of a regular expression: text every match must contain (one of them, for an
// alternation). A value without any of them cannot match, so the regex need not run: RE2's
// linear-time engine in JavaScript costs tens of microseconds per value, a substring test almost nothing.

/** Shortest literal worth a pre-test: shorter ones rule out too little to pay for themselves. */
const MIN_LITERAL = 3;

/** Splits at `|` outside groups and classes; null when the brackets do not balance. */
function splitAlternatives(src: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(src, i);
      if (end < 0) return null;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) return null;
  }
  if (depth !== 0) return null;
  out.push(src.slice(start));
  return out;
}

/** The index of the `]` closing the class opened at `i`, or -1. */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++; // a leading `]` is a member
  for (; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === ']') return j;
  }
  return -1;
}

/** The index of the `)` closing the group opened at `i`, or -1. */
function groupEnd(src: string, i: number): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '[') {
      j = classEnd(src, j);
      if (j < 0) return -1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

const isQuantifier = (c: string | undefined): boolean => c === '?' || c === '*' || c === '+' || c === '{';

/** The better requirement rules out more: its shortest literal is longer (fewer of them on a tie). */
const score = (x: string[]): number => Math.min(...x.map((l) => l.length)) * 100 - x.length;

/**
 * Every requirement of one alternative (no top-level `|`), best first: sets of literals of which
 * the alternative's matches contain one each (a plain run, or a group's set); null when it cannot tell.
 */
function requiredRuns(alt: string): string[][] | null {
  const found: string[][] = [];
  const consider = (set: string[] | null): void => {
    if (!set?.length || set.some((l) => l.length < MIN_LITERAL)) return;
    found.push(set);
  };
  let run = '';
  const flush = (): void => {
    consider([run]);
    run = '';
  };
  for (let i = 0; i < alt.length; i++) {
    const c = alt[i] as string;
    let literal: string | null = null;
    let group: string[][] | null = null;
    let next = i + 1;
    if (c === '\\') {
      const e = alt[i + 1];
      if (e === undefined) return null;
      // Classes and anchors are atoms; other letter escapes (\x41, \n…) are not told apart here.
      if (/[0-9A-Za-z]/.test(e) && !'dwsDWSbBAz'.includes(e)) return null;
      if (!/[0-9A-Za-z]/.test(e)) literal = e;
      next = i + 2;
    } else if (c === '[') {
      const end = classEnd(alt, i);
      if (end < 0) return null;
      next = end + 1;
    } else if (c === '(') {
      const end = groupEnd(alt, i);
      if (end < 0) return null;
      // A plain or non-capturing group: what it requires, the sequence requires (unless quantified).
      // A group of one alternative requires all that alternative does; of several, one of their bests.
      if (alt[i + 1] !== '?' || alt[i + 2] === ':') {
        const inner = alt.slice(alt[i + 1] === '?' ? i + 3 : i + 1, end);
        const sets = requiredLiteralSets(inner);
        if (sets?.length === 1) group = sets[0] ?? null;
        else if (sets) group = [bestOfEach(sets)];
      }
      next = end + 1;
    } else if (!'.^$|)]{}*+?'.includes(c)) literal = c;
    const quantified = isQuantifier(alt[next]);
    if (literal !== null && !quantified) run += literal;
    else {
      // Anything but a plain literal ends the run; a quantified atom may repeat or be absent.
      flush();
      if (!quantified) for (const set of group ?? []) consider(set);
      if (alt[next] === '{') {
        const close = alt.indexOf('}', next);
        if (close < 0) return null;
        next = close + 1;
      } else if (quantified) next++;
      if (alt[next] === '?' || alt[next] === '+') next++; // lazy or possessive
    }
    i = next - 1;
  }
  flush();
  return found.sort((a, b) => score(b) - score(a));
}

/**
 * Lowercased literals such that every match of `src` contains at least one of them, or null when
 * none can be told (then the regex always runs).
 */
export function requiredLiterals(src: string): string[] | null {
  const alternatives = requiredLiteralSets(src);
  return alternatives && bestOfEach(alternatives);
}

/** The best requirement of each alternative, together: a match holds one of these literals. */
function bestOfEach(alternatives: readonly string[][][]): string[] {
  return [...new Set(alternatives.flatMap((sets) => sets[0] ?? []))];
}

/**
 * For each alternative, every set of lowercased literals its matches contain one of (best first),
 * or null when some alternative has none that can be told. A value that meets no alternative's
 * sets all cannot match.
 */
export function requiredLiteralSets(src: string): string[][][] | null {
  if (/\\[QEpP]|\(\?[a-zA-Z-]*\)/.test(src)) return null; // quoting, classes by property, inline flags
  const alts = splitAlternatives(src);
  if (!alts) return null;
  const out: string[][][] = [];
  for (const alt of alts) {
    const sets = requiredRuns(alt);
    if (!sets?.length) return null;
    out.push(sets.map((set) => set.map((l) => l.toLowerCase())));
  }
  return out;
}

/**
 * A regex test with its literal pre-test in front. Values outside ASCII always run the regex:
 * case-insensitive matching folds a few other letters onto ASCII ones (ſ onto s, K onto k).
 */
export function withLiteralPretest(src: string, test: (s: string) => boolean): (s: string) => boolean {
  const alternatives = requiredLiteralSets(src);
  if (!alternatives) return test;
  // Every requirement of an alternative, not only its best: `:assumed-role/[^/]+/i-…` needs both
  // runs, and most role sessions' ARNs have the first.
  const possible = (lower: string): boolean =>
    alternatives.some((sets) => sets.every((set) => set.some((l) => lower.includes(l))));
  return (s) => {
    if (/[^ -~\t\n\r]/.test(s)) return test(s);
    return possible(s.toLowerCase()) && test(s);
  };
}
