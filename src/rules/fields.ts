// Field access on a match view: dotted paths, every element of an array crossed on the way.
import { isJsonObject, type Json } from '../domain/json.js';

/** All values found at `path` (an empty list when the path is absent). */
export function valuesAt(root: Json, path: string): Json[] {
  let current: Json[] = [root];
  for (const key of path.split('.')) {
    const next: Json[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) if (isJsonObject(item) && key in item) next.push(item[key] ?? null);
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
