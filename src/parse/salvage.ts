// Recovers the complete records of a truncated `{"Records":[…` file, so the good ones are kept.
import type { Json } from '../domain/json.js';

export interface Salvage {
  records: Json[];
  /** Complete elements that were still not valid JSON. */
  broken: number;
}

/**
 * Scans the text of a truncated delivery file for the elements of its `Records` array, tracking
 * strings and nesting depth, and parses each complete element. Returns null when there is no
 * `Records` array to salvage from.
 */
export function salvageRecords(text: string): Salvage | null {
  const at = text.indexOf('"Records"');
  if (at < 0) return null;
  const open = text.indexOf('[', at);
  if (open < 0) return null;
  const records: Json[] = [];
  let broken = 0;
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth === 0) break; // end of the Records array itself
      depth--;
      if (depth === 0 && start >= 0) {
        try {
          records.push(JSON.parse(text.slice(start, i + 1)) as Json);
        } catch {
          broken++;
        }
        start = -1;
      }
    }
  }
  return { records, broken };
}
