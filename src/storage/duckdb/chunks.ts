// Rows appended to a table a data chunk at a time, each chunk filled column by column.
import { DuckDBDataChunk, DuckDBVector, type DuckDBAppender, type DuckDBValue } from '@duckdb/node-api';

/** One column's value of a row; a table's list of them follows its column order. */
export type Column<T> = (row: T) => DuckDBValue;

/**
 * Appends `rows` through `a` in data chunks of DuckDB's vector size (2048 rows). One appender call
 * per cell staged a 20k-event batch at 32-37 µs per event, much of it in the three lists, which
 * the appender builds as DuckDB values item by item; chunks filled column by column: 20-22 µs.
 */
export function appendRows<T>(a: DuckDBAppender, rows: readonly T[], columns: readonly Column<T>[]): void {
  const types = Array.from({ length: a.columnCount }, (_, i) => a.columnType(i));
  if (types.length !== columns.length)
    throw new Error(`${columns.length} column readers for a table of ${types.length} columns`);
  const size = DuckDBVector.standardSize();
  // One chunk serves the whole batch: reset empties it, and the appender has copied what it held.
  const chunk = DuckDBDataChunk.create(types);
  for (let start = 0; start < rows.length; start += size) {
    const end = Math.min(start + size, rows.length);
    chunk.reset();
    chunk.rowCount = end - start;
    columns.forEach((read, c) => {
      const vector = chunk.getColumnVector(c);
      for (let i = start; i < end; i++) vector.setItem(i - start, read(rows[i] as T));
      vector.flush();
    });
    a.appendDataChunk(chunk);
  }
}
