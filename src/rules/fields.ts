// Field access on a match view: dotted paths, every element of an array crossed on the way.
import { isJsonObject, type Json } from '../domain/json.js';

const pathKeys = new Map<string, string[]>();

/** All values found at `path` (an empty list when the path is absent). */
export function valuesAt(root: Json, path: string): Json[] {
  let keys = pathKeys.get(path);
  if (!keys) pathKeys.set(path, (keys = path.split('.')));
  // Objects all the way down (the common case): no intermediate lists.
  let single: Json = root;
  let i = 0;
  for (; i < keys.length && !Array.isArray(single); i++) {
    const key = keys[i] as string;
    if (!isJsonObject(single) || !Object.hasOwn(single, key)) return [];
    single = single[key] ?? null;
  }
  if (i === keys.length) return Array.isArray(single) ? single : [single];
  let current: Json[] = [single];
  for (; i < keys.length; i++) {
    const key = keys[i] as string;
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
  const [v] = valuesAt(root, path);
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
