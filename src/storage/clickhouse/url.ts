// The store address `clickhouse://[user[:password]@]host:port[,host:port…]/database[?cluster=NAME]`.
import { StoreError } from '../port.js';

export interface ClickhouseAddress {
  /** `http://host:port` of every node given; the first one answers queries. */
  nodes: string[];
  database: string;
  /** A `remote_servers` cluster: tables are created on every node, read and written through `Distributed` tables. */
  cluster: string | null;
  username: string;
  password: string;
}

const EXAMPLE =
  'clickhouse://127.0.0.1:8123/trailwatch (or clickhouse://h1:8123,h2:8123/trailwatch?cluster=NAME)';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isClickhouseUrl(text: string): boolean {
  return /^clickhouse:\/\//i.test(text);
}

export function parseClickhouseUrl(text: string): ClickhouseAddress {
  const m = /^clickhouse:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/([^/?#]+)(?:\?([^#]*))?$/i.exec(text);
  const bad = (why: string): StoreError =>
    new StoreError(
      `invalid ClickHouse store address ${JSON.stringify(text)}: ${why}; expected e.g. ${EXAMPLE}`,
    );
  if (!m) throw bad('it needs a host:port and a database');
  const [, user, password, hosts = '', database = '', query = ''] = m;
  const nodes = hosts.split(',').map((h) => {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(h)) throw bad(`${JSON.stringify(h)} is not host:port`);
    return `http://${h}`;
  });
  if (!NAME.test(database))
    throw bad(`the database name ${JSON.stringify(database)} is not a plain identifier`);
  const params = new URLSearchParams(query);
  for (const key of params.keys()) if (key !== 'cluster') throw bad(`unknown option ${JSON.stringify(key)}`);
  const cluster = params.get('cluster');
  if (cluster !== null && !NAME.test(cluster))
    throw bad(`the cluster name ${JSON.stringify(cluster)} is not a plain identifier`);
  return {
    nodes,
    database,
    cluster,
    username: decodeURIComponent(user ?? 'default') || 'default',
    password: decodeURIComponent(password ?? ''),
  };
}
