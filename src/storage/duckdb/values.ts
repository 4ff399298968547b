// Small conversions between DuckDB values and the store's types, shared by every query family.
import { timestampValue, type DuckDBValue } from '@duckdb/node-api';

/** A result row as the node API returns it. */
export type Row = Record<string, DuckDBValue>;

/** A TIMESTAMP value (microseconds) from epoch milliseconds. */
export function ts(ms: number) {
  return timestampValue(BigInt(Math.round(ms)) * 1000n);
}

/** A VARCHAR column as text, or null when it is NULL (or not text). */
export function s(row: Row, col: string): string | null {
  const v = row[col];
  return typeof v === 'string' ? v : null;
}
