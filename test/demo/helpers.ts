// Shared helpers for the demo tests: a fixed end time and typed access into generated records.
import { isJsonObject, type Json, type JsonObject } from '../../src/domain/json.js';
import type { DemoTrail } from '../../src/demo/generate.js';

/** A Wednesday afternoon, so the three days hold a weekend evening and two working days. */
export const END = Date.parse('2024-06-12T15:20:00Z');

export const recordsOf = (trail: DemoTrail): JsonObject[] => trail.files.flatMap((file) => file.records);

/** The value at a dotted path, or undefined when any step is missing. */
export function at(record: Json | undefined, path: string): Json | undefined {
  let value: Json | undefined = record;
  for (const part of path.split('.')) value = isJsonObject(value) ? value[part] : undefined;
  return value;
}

export const text = (record: Json | undefined, path: string): string => {
  const value = at(record, path);
  return typeof value === 'string' ? value : '';
};
