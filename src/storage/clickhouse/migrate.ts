// Applies the ClickHouse migrations on every node of the address; re-running is harmless.
import { connect } from './client.js';
import { MIGRATIONS, tableDdl } from './migrations.js';
import { sqlValue } from './sql.js';
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
        for (const c of m.columns ?? [])
          for (const table of address.cluster ? [`${c.table}_local`, c.table] : [c.table]) {
            const [has] = await conn.rows(
              `SELECT count() AS n FROM system.columns
               WHERE database = ${sqlValue(db)} AND table = ${sqlValue(table)} AND name = ${sqlValue(c.name)}`,
            );
            // Workers starting together migrate together: one of them adds the column first.
            if (!Number(has?.n))
              await conn
                .run(`ALTER TABLE ${db}.${table} ADD COLUMN ${c.name} ${c.type}`)
                .catch((err: unknown) => {
                  if (!/already exists/.test((err as Error).message)) throw err;
                });
          }
        await conn.insert(`${db}.schema_migrations`, ['version', 'applied_ms'], [[m.version, Date.now()]]);
      }
    } finally {
      await conn.close();
    }
  }
}
