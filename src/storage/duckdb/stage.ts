// Staging: a batch's rows appended to the temporary copy of a table, which SQL then moves in one transaction.
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

/** Replaces `temp.<table>` with an empty copy and appends `rows` to it through `append`. */
export async function stage<T>(
  conn: DuckDBConnection,
  table: string,
  rows: readonly T[],
  append: (a: DuckDBAppender, rows: readonly T[]) => void,
): Promise<void> {
  // DELETE and TRUNCATE leave a temporary table's rows allocated: batch after batch the staged rows
  // piled up in DuckDB's memory and spilled to its temporary files (3.5 GB at 4M events). An empty
  // copy of the table frees them.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM temp.${table} LIMIT 0`);
  if (!rows.length) return;
  const appender = await conn.createAppender(table, 'main', 'temp');
  append(appender, rows);
  appender.flushSync();
  appender.closeSync();
}

/** An append function of one row as one of a whole batch, row by row through the appender. */
export function byRow<T>(append: (a: DuckDBAppender, row: T) => void) {
  return (a: DuckDBAppender, rows: readonly T[]): void => {
    for (const row of rows) {
      append(a, row);
      a.endRow();
    }
  };
}
