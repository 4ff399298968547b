// Applies the ClickHouse migrations on every node of the address; re-running is harmless.
import { connect } from './client.js';
import { MIGRATIONS, tableDdl } from './migrations.js';
import type { ClickhouseAddress } from './url.js';

export async function migrate(address: ClickhouseAddress): Promise<void> {
  const db = address.database;
  for (const url of address.nodes) {
    const conn = connect({ url, username: address.username, password: address.password });
    try {
      await conn.run(`CREATE DATABASE IF NOT EXISTS ${db}`);
      // Per node: each node holds its own local tables, so each records what it has applied.
      await conn.run(
        `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (version UInt32, applied_ms Int64)
         ENGINE = ReplacingMergeTree ORDER BY version`,
      );
      const done = new Set(
        (await conn.rows(`SELECT version FROM ${db}.schema_migrations`)).map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const table of m.tables)
          for (const ddl of tableDdl(db, table, address.cluster)) await conn.run(ddl);
        await conn.insert(`${db}.schema_migrations`, ['version', 'applied_ms'], [[m.version, Date.now()]]);
      }
    } finally {
      await conn.close();
    }
  }
}
