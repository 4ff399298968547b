// A thin connection to one ClickHouse node over HTTP: rows in, rows out, every value escaped by sql.ts.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { sqlValue, type SqlValue } from './sql.js';

import type { Row } from '../rows.js';

export type { Row };

export interface Connection {
  /** Runs a SELECT and returns its rows (64-bit integers arrive as strings). */
  rows(sql: string): Promise<Row[]>;
  /** Runs a statement that returns nothing (DDL, INSERT … VALUES). */
  run(sql: string): Promise<void>;
  /** Inserts rows; each row's values in the order of `columns`. */
  insert(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  close(): Promise<void>;
}

/** An INSERT statement is cut at about this many characters of values (the server streams them). */
const INSERT_CHUNK = 8_000_000;

export function connect(options: {
  url: string;
  username: string;
  password: string;
  database?: string;
}): Connection {
  const client: ClickHouseClient = createClient({
    url: options.url,
    username: options.username,
    password: options.password,
    ...(options.database ? { database: options.database } : {}),
    // A long synchronous parse can outlive the server's keep-alive (3 s by default before 23.11);
    // a reused dead socket then fails with EPIPE. A fresh connection per request costs little.
    keep_alive: { enabled: false },
    // Failures are thrown to the caller, which reports them once; the client would log them again.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // IN lists of a batch's ids are longer than the 256 KiB default.
      max_query_size: '67108864',
      // Into a Distributed table, an insert returns once every shard has its rows, so a read that
      // follows sees them (the default queues them for a background send).
      insert_distributed_sync: 1,
    },
  });

  async function rows(sql: string): Promise<Row[]> {
    const r = await client.query({ query: sql, format: 'JSONEachRow' });
    return r.json<Row>();
  }

  async function run(sql: string): Promise<void> {
    await client.command({ query: sql });
  }

  async function insert(
    table: string,
    columns: readonly string[],
    values: readonly (readonly SqlValue[])[],
  ): Promise<void> {
    const head = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    let parts: string[] = [];
    let size = 0;
    for (const row of values) {
      const tuple = `(${row.map(sqlValue).join(', ')})`;
      parts.push(tuple);
      size += tuple.length;
      if (size >= INSERT_CHUNK) {
        await run(head + parts.join(', '));
        parts = [];
        size = 0;
      }
    }
    if (parts.length) await run(head + parts.join(', '));
  }

  return { rows, run, insert, close: () => client.close() };
}
