// The condition language: selection names with and / or / not / parentheses, `1 of x*`, `all of them`.
export type Condition =
  | { kind: 'sel'; name: string }
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string };

export class ConditionError extends Error {
  override readonly name = 'ConditionError';
}

function tokenize(text: string): string[] {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  return tokens;
}

/** Parses a condition; precedence: not > and > or. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw new ConditionError(`condition '${text}' ends early`);
    return t;
  };
  const parseOr = (): Condition => {
    const items = [parseAnd()];
    while (peek()?.toLowerCase() === 'or') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'or', items };
  };
  const parseAnd = (): Condition => {
    const items = [parseUnary()];
    while (peek()?.toLowerCase() === 'and') {
      pos++;
      items.push(parseUnary());
    }
    return items.length === 1 ? (items[0] as Condition) : { kind: 'and', items };
  };
  const parseUnary = (): Condition => {
    const t = next();
    const lower = t.toLowerCase();
    if (lower === 'not') return { kind: 'not', item: parseUnary() };
    if (t === '(') {
      const inner = parseOr();
      if (next() !== ')') throw new ConditionError(`condition '${text}': expected ')'`);
      return inner;
    }
    if (lower === '1' || lower === 'all' || lower === 'any') {
      if (next().toLowerCase() !== 'of')
        throw new ConditionError(`condition '${text}': expected 'of' after '${t}'`);
      return { kind: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern: next() };
    }
    if (['and', 'or', ')', '|'].includes(lower) || t.startsWith('|'))
      throw new ConditionError(
        `condition '${text}': unexpected '${t}'${t.startsWith('|') ? ' (aggregations are not supported)' : ''}`,
      );
    return { kind: 'sel', name: t };
  };
  if (!tokens.length) throw new ConditionError('condition is empty');
  const result = parseOr();
  if (pos < tokens.length)
    throw new ConditionError(
      `condition '${text}': unexpected '${tokens[pos] ?? ''}'${tokens[pos]?.startsWith('|') ? ' (aggregations such as | count() are not supported; use a threshold rule)' : ''}`,
    );
  return result;
}

/** Expansions per list of selection names (a rule's, fixed once compiled) and pattern. */
const expansions = new WeakMap<readonly string[], Map<string, string[]>>();

/** Selection names a pattern (`sel_*`, `them`) stands for; the same list each time for the same names. */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  let known = expansions.get(names);
  if (!known) expansions.set(names, (known = new Map<string, string[]>()));
  let found = known.get(pattern);
  // A rule's `1 of sel_*` is evaluated on every event it meets: compile its pattern once.
  if (!found) known.set(pattern, (found = expand(pattern, names)));
  return found;
}

function expand(pattern: string, names: readonly string[]): string[] {
  if (pattern === 'them') return [...names];
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return names.filter((n) => re.test(n));
}

/** Every selection name a condition refers to (patterns expanded). */
export function referencedNames(c: Condition, names: readonly string[]): string[] {
  switch (c.kind) {
    case 'sel':
      return [c.name];
    case 'not':
      return referencedNames(c.item, names);
    case 'of':
      return [...expandPattern(c.pattern, names)];
    default:
      return c.items.flatMap((i) => referencedNames(i, names));
  }
}

/**
 * A boolean formula over tests of a view: a rule's condition with its selections (alternatives of
 * entries) put in place, compiled once into one function (`compileLogic`).
 */
export type Logic<V> =
  | { kind: 'test'; test: (view: V) => boolean }
  | { kind: 'and' | 'or'; items: Logic<V>[] }
  | { kind: 'not'; item: Logic<V> };

/**
 * A condition as a formula, from its selections' formulas: `and`, `or` and `not` as usual, `1 of` /
 * `all of` a pattern over the selections' names (expanded here, once; `all of` a pattern that names
 * none is false). A name with no formula (a selection that did not compile) is false.
 */
export function conditionLogic<V>(
  c: Condition,
  selection: (name: string) => Logic<V> | undefined,
  names: readonly string[],
): Logic<V> {
  const never: Logic<V> = { kind: 'or', items: [] };
  switch (c.kind) {
    case 'sel':
      return selection(c.name) ?? never;
    case 'not':
      return { kind: 'not', item: conditionLogic(c.item, selection, names) };
    case 'and':
    case 'or':
      return { kind: c.kind, items: c.items.map((i) => conditionLogic(i, selection, names)) };
    case 'of': {
      const items = expandPattern(c.pattern, names).map((n) => selection(n) ?? never);
      if (c.quantifier === 'all') return items.length ? { kind: 'and', items } : never;
      return { kind: 'or', items };
    }
  }
}

/** False once the runtime refuses to make a function from text. */
let generating = true;

/**
 * A formula as one function of the view, made as source text: `t[0](v) && !(t[1](v) || t[2](v))`.
 * The text holds only names made here (the view, the list of distinct tests, their numbers) and
 * operators, never anything of a rule; the tests are passed in as values. A formula of nested
 * closures called every test through the same few call sites, which the JIT cannot inline; here each
 * rule's calls are its own. An empty `and` is true, an empty `or` false.
 */
export function compileLogic<V>(logic: Logic<V>): (view: V) => boolean {
  if (generating)
    try {
      return generated(logic);
    } catch (err) {
      // node --disallow-code-generation-from-strings: the same formula as closures, slower.
      if (!(err instanceof EvalError)) throw err;
      generating = false;
    }
  return logicAsClosures(logic);
}

/** `compileLogic` as nested closures, for a runtime that makes no function from text. */
export function logicAsClosures<V>(logic: Logic<V>): (view: V) => boolean {
  switch (logic.kind) {
    case 'test':
      return logic.test;
    case 'not': {
      const item = logicAsClosures(logic.item);
      return (view) => !item(view);
    }
    case 'and':
    case 'or': {
      const items = logic.items.map(logicAsClosures);
      const all = logic.kind === 'and';
      return (view) => {
        for (const item of items) if (item(view) !== all) return !all;
        return all;
      };
    }
  }
}

function generated<V>(logic: Logic<V>): (view: V) => boolean {
  const tests: ((view: V) => boolean)[] = [];
  const numbers = new Map<(view: V) => boolean, number>();
  const text = (l: Logic<V>): string => {
    switch (l.kind) {
      case 'test': {
        let n = numbers.get(l.test);
        if (n === undefined) numbers.set(l.test, (n = tests.push(l.test) - 1));
        return `t[${n}](v)`;
      }
      case 'not':
        return `!${text(l.item)}`;
      case 'and':
      case 'or':
        if (!l.items.length) return l.kind === 'and' ? 'true' : 'false';
        return `(${l.items.map(text).join(l.kind === 'and' ? ' && ' : ' || ')})`;
    }
  };
  const body = text(logic);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the text is ours alone (above)
  const make = new Function('t', `'use strict'; return function (v) { return ${body}; };`) as (
    t: readonly ((view: V) => boolean)[],
  ) => (view: V) => boolean;
  return make(tests);
}

/**
 * The values of `field` an event must have for the condition to hold, or null when any value can
 * (used to index rules by event name and source). `required(name)` gives a selection's own set.
 */
export function requiredValues(
  c: Condition,
  required: (name: string) => Set<string> | null,
  names: readonly string[],
): Set<string> | null {
  const union = (sets: (Set<string> | null)[]): Set<string> | null =>
    sets.some((s) => s === null) ? null : new Set(sets.flatMap((s) => [...(s ?? [])]));
  const intersect = (sets: (Set<string> | null)[]): Set<string> | null => {
    const known = sets.filter((s): s is Set<string> => s !== null);
    if (!known.length) return null;
    return known.reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
  };
  switch (c.kind) {
    case 'sel':
      return required(c.name);
    case 'not':
      return null;
    case 'and':
      return intersect(c.items.map((i) => requiredValues(i, required, names)));
    case 'or':
      return union(c.items.map((i) => requiredValues(i, required, names)));
    case 'of': {
      const sets = expandPattern(c.pattern, names).map(required);
      return c.quantifier === 'all' ? intersect(sets) : union(sets);
    }
  }
}
