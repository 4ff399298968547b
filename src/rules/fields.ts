// Field access on a record or a match view: dotted paths, every element of an array crossed on the way.
import { isJsonObject, type Json } from '../domain/json.js';
import type { MatchView } from '../domain/rule.js';

const pathKeys = new Map<string, string[]>();

/** A path's keys, split once. */
function keysOf(path: string): readonly string[] {
  let keys = pathKeys.get(path);
  if (!keys) pathKeys.set(path, (keys = path.split('.')));
  return keys;
}

/** What `oneValueAt` answers when the path meets a list on its way or at its end: ask `valuesAt`. */
export const SEVERAL: unique symbol = Symbol('several values');

/**
 * The value at a path when it is one, without making a list: undefined when the path is absent,
 * SEVERAL when it meets a list. Field tests run for every event a rule meets, most paths lead
 * through objects to one value, and a list made per read was the matcher's largest allocation.
 */
export function oneValueAt(root: Json, keys: readonly string[]): Json | undefined | typeof SEVERAL {
  let single: Json = root;
  for (let i = 0; i < keys.length; i++) {
    if (Array.isArray(single)) return SEVERAL;
    const key = keys[i] as string;
    if (!isJsonObject(single) || !Object.hasOwn(single, key)) return undefined;
    single = single[key] ?? null;
  }
  return Array.isArray(single) ? SEVERAL : single;
}

/** All values found at `path` (an empty list when the path is absent). */
export function valuesAt(root: Json, path: string): Json[] {
  return valuesAtKeys(root, keysOf(path));
}

function valuesAtKeys(root: Json, keys: readonly string[]): Json[] {
  // Objects all the way down (the common case): no intermediate lists.
  const one = oneValueAt(root, keys);
  if (one !== SEVERAL) return one === undefined ? [] : [one];
  let current: Json[] = [root];
  for (const key of keys) {
    const next: Json[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items)
        if (isJsonObject(item) && Object.hasOwn(item, key)) next.push(item[key] ?? null);
    }
    if (!next.length) return [];
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** The first value at a path as text. */
export function textAt(root: Json, path: string): string {
  return firstText(root, keysOf(path));
}

function firstText(root: Json, keys: readonly string[]): string {
  const one = oneValueAt(root, keys);
  const v = one === SEVERAL ? valuesAtKeys(root, keys)[0] : one;
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A rule's field on a match view: `actor.…` and `sessionNameCheck.…` are read from attribution,
 * every other path from the raw record. Decided once per path, as the view is not one object: it
 * keeps the record as parsed, and copying each record under the attribution fields cost more than
 * the rest of building a view.
 */
export interface ViewField {
  readonly from: 'record' | 'actor' | 'sessionNameCheck';
  /** The keys below where it is read from (none for `actor` itself). */
  readonly keys: readonly string[];
  /** Its place in the table of the last value read (`oneValueIn`). */
  readonly slot: number;
}

const viewFields = new Map<string, ViewField>();

export function viewField(path: string): ViewField {
  let field = viewFields.get(path);
  if (!field) {
    const [first = '', ...rest] = keysOf(path);
    const slot = viewFields.size;
    field =
      first === 'actor' || first === 'sessionNameCheck'
        ? { from: first, keys: rest, slot }
        : { from: 'record', keys: keysOf(path), slot };
    viewFields.set(path, field);
    slotViews.push(null);
    slotValues.push(undefined);
  }
  return field;
}

/**
 * The last view each field was read on, and what was read: one event's view is read by every rule
 * it meets, which ask the same few fields (source address, identity type, user agent, the origin's
 * type) in different entries, and a read of a record's field costs more than the test on it.
 */
const slotViews: (MatchView | null)[] = [];
const slotValues: (Json | undefined | typeof SEVERAL)[] = [];

function rootOf(view: MatchView, field: ViewField): Json {
  return field.from === 'record' ? view.record : field.from === 'actor' ? view.actor : view.sessionNameCheck;
}

/** `oneValueAt` of a rule's field on a view, read once per view (a view is never changed). */
export function oneValueIn(view: MatchView, field: ViewField): Json | undefined | typeof SEVERAL {
  const slot = field.slot;
  if (slotViews[slot] === view) return slotValues[slot];
  const value = oneValueAt(rootOf(view, field), field.keys);
  slotViews[slot] = view;
  slotValues[slot] = value;
  return value;
}

/** `valuesAt` of a rule's field on a view. */
export function valuesIn(view: MatchView, field: ViewField): Json[] {
  return valuesAtKeys(rootOf(view, field), field.keys);
}

/**
 * The first value of a rule's field on a view as text, its path split once: titles and group keys
 * are read for every match.
 */
export function textReader(path: string): (view: MatchView) => string {
  const field = viewField(path);
  return (view) => firstText(rootOf(view, field), field.keys);
}
