// Private ClickHouse servers for tests: Debian's binary, a config in a temp folder, 127.0.0.1 only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

const BINARY = process.env.CLICKHOUSE_SERVER ?? 'clickhouse-server';

/** Why ClickHouse tests cannot run here, or null when the server binary is installed. */
export function clickhouseMissing(): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${BINARY}`], { encoding: 'utf8' });
  return r.status === 0
    ? null
    : `SKIPPED ClickHouse tests: ${BINARY} is not installed (CI installs Debian's clickhouse-server; ` +
        'apt-get install clickhouse-server clickhouse-client to run them here)';
}

/** Skips with a plain message when the binary is absent; returns whether the tests can run. */
export function hasClickhouse(): boolean {
  const reason = clickhouseMissing();
  if (reason) console.warn(reason);
  return reason === null;
}

export interface ClickhouseServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  httpPort: number;
  tcpPort: number;
  stop(): Promise<void>;
}

/** `shards`: the tcp ports of every server of a cluster named `cluster`, one shard each. */
interface ClusterConfig {
  name: string;
  tcpPorts: number[];
}

function configXml(dir: string, httpPort: number, tcpPort: number, cluster?: ClusterConfig): string {
  const shards = (cluster?.tcpPorts ?? [])
    .map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`)
    .join('');
  const remote = cluster
    ? `<remote_servers><${cluster.name}>${shards}</${cluster.name}></remote_servers>`
    : '';
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog>
    <size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <!-- the client may block its event loop (JSON.parse of a big batch) longer than the 3 s default -->
  <keep_alive_timeout>60</keep_alive_timeout>
  <max_connections>64</max_connections>
  <max_concurrent_queries>32</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  ${remote}
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password>
    <networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(url: string, child: ChildProcess, logDir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const r = await fetch(`${url}/ping`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let log = '';
  try {
    log = readFileSync(path.join(logDir, 'error.log'), 'utf8').slice(-2000);
  } catch {
    // no log written
  }
  throw new Error(`ClickHouse did not answer /ping at ${url} (exit ${String(child.exitCode)}): ${log}`);
}

async function startOne(
  ports: { http: number; tcp: number },
  cluster?: ClusterConfig,
): Promise<ClickhouseServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-clickhouse-'));
  for (const sub of ['log', 'data', 'tmp', 'user_files']) mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, 'config.xml'), configXml(dir, ports.http, ports.tcp, cluster));
  writeFileSync(path.join(dir, 'users.xml'), USERS_XML);
  const child = spawn(BINARY, ['--config-file', path.join(dir, 'config.xml')], {
    cwd: dir,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${ports.http}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(url, child, path.join(dir, 'log'));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, httpPort: ports.http, tcpPort: ports.tcp, stop };
}

/** One server with its own data in a temp folder; `stop()` kills it and removes the folder. */
export async function startClickhouse(): Promise<ClickhouseServer> {
  return startOne({ http: await freePort(), tcp: await freePort() });
}

/** Servers that form one cluster (`name`), a shard each, as a `Distributed` table sees them. */
export async function startClickhouseCluster(name: string, shards = 2): Promise<ClickhouseServer[]> {
  const ports: { http: number; tcp: number }[] = [];
  for (let i = 0; i < shards; i++) ports.push({ http: await freePort(), tcp: await freePort() });
  const cluster = { name, tcpPorts: ports.map((p) => p.tcp) };
  const started = await Promise.allSettled(ports.map((p) => startOne(p, cluster)));
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason as Error;
  }
  return servers;
}
