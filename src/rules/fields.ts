// Field access on a match view: dotted paths, every element of an array crossed on the way.
import { isJsonObject, type Json } from '../domain/json.js';

const pathKeys = new Map<string, string[]>();

/** A path's keys, split once. */
export function keysOf(path: string): readonly string[] {
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
  const keys = keysOf(path);
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

/** The first value at a path as text, for titles and group keys. */
export function textAt(root: Json, path: string): string {
  return firstText(root, path, keysOf(path));
}

/** `textAt` of one path, its keys split once: titles and group keys are read for every match. */
export function textReader(path: string): (root: Json) => string {
  const keys = keysOf(path);
  return (root) => firstText(root, path, keys);
}

function firstText(root: Json, path: string, keys: readonly string[]): string {
  const one = oneValueAt(root, keys);
  const v = one === SEVERAL ? valuesAt(root, path)[0] : one;
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
