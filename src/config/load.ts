// Loads trailwatch.yml: every problem reported with file and line; secrets from the environment or a secrets file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { isJsonObject, jsonText, type Json } from '../domain/json.js';
import { SEVERITIES, type Severity } from '../domain/rule.js';
import { lineOf } from '../domain/yaml-position.js';
import { DEFAULT_RETRY, emptyConfig, type Config, type DestinationEntry, type RouteConfig } from './types.js';

export interface ConfigIssue {
  file: string;
  line: number | null;
  path: string;
  message: string;
}

/** A configuration that cannot be used; `issues` lists every problem. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(
      issues
        .map(
          (i) =>
            `${i.file}${i.line === null ? '' : `:${i.line}`}: ${i.message}${i.path ? ` (at ${i.path})` : ''}`,
        )
        .join('\n'),
    );
  }
}

const TOP = ['store', 'rules', 'lists', 'sessionNamePolicy', 'ui', 'notifications', 'secretsFile', 'retain'];
const DESTINATION_TYPES: Record<string, { required: string[]; optional: string[] }> = {
  console: { required: [], optional: [] },
  jsonl: { required: ['path'], optional: [] },
  webhook: { required: ['url'], optional: ['secret', 'headers', 'timeoutMs'] },
  slack: { required: ['webhookUrl'], optional: ['timeoutMs'] },
  pagerduty: { required: ['routingKey'], optional: ['endpoint', 'timeoutMs'] },
  sns: { required: ['topicArn'], optional: ['region', 'endpointUrl', 'credentials', 'timeoutMs'] },
  smtp: {
    required: ['host', 'from', 'to'],
    optional: ['port', 'username', 'password', 'tls', 'timeoutMs', 'ca', 'clientName'],
  },
};
const SECRET = /\$\{(env|secret):([A-Za-z0-9_.-]+)\}/g;

export const DESTINATION_FIELDS = DESTINATION_TYPES;

function durationMs(v: Json | undefined): number | null {
  if (typeof v === 'number') return v * 1000;
  const m = typeof v === 'string' ? /^(\d+)\s*([smhdw])$/.exec(v.trim()) : null;
  const unit: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
  return m ? Number(m[1]) * (unit[m[2] ?? 's'] ?? 1e3) : null;
}

function stringList(v: Json | undefined): string[] | null {
  if (v === undefined || v === null) return null;
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/**
 * Parses a configuration text. `env` and the secrets file resolve `${env:NAME}` and `${secret:NAME}`;
 * a missing secret is a problem naming the secret, never showing any value.
 */
export function parseConfig(text: string, file: string, env: Record<string, string | undefined>): Config {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const issues: ConfigIssue[] = [];
  for (const e of doc.errors)
    issues.push({
      file,
      line: counter.linePos(e.pos[0]).line,
      path: '',
      message: `YAML: ${e.message.split('\n')[0] ?? ''}`,
    });
  if (issues.length) throw new ConfigError(issues);
  const root = doc.contents as Node | null;
  const issue = (keys: (string | number)[], message: string): void => {
    issues.push({ file, line: lineOf(root, keys, counter), path: keys.join('.'), message });
  };
  const value = (doc.toJS() ?? {}) as Json;
  const config = emptyConfig();
  config.file = file;
  if (!isJsonObject(value))
    throw new ConfigError([{ file, line: 1, path: '', message: 'the configuration is a YAML map' }]);
  for (const key of Object.keys(value))
    if (!TOP.includes(key)) issue([key], `unknown key '${key}' (known: ${TOP.join(', ')})`);
  const dir = path.dirname(file);

  let secrets: Record<string, string> = {};
  if (typeof value.secretsFile === 'string') {
    const secretsPath = path.resolve(dir, value.secretsFile);
    if (!existsSync(secretsPath)) issue(['secretsFile'], `secrets file ${secretsPath} does not exist`);
    else {
      const parsed = parseDocument(readFileSync(secretsPath, 'utf8')).toJS() as unknown;
      if (isJsonObject(parsed))
        secrets = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v as string)]));
      else issue(['secretsFile'], 'the secrets file is a YAML map of name: value');
    }
  }
  const resolve = (keys: (string | number)[], v: Json): Json => {
    if (typeof v === 'string')
      return v.replace(SECRET, (_, kind: string, name: string) => {
        const found = kind === 'env' ? env[name] : secrets[name];
        if (found === undefined)
          issue(keys, `${kind === 'env' ? 'environment variable' : 'secret'} ${name} is not set`);
        return found ?? '';
      });
    if (Array.isArray(v)) return v.map((x, i) => resolve([...keys, i], x));
    if (isJsonObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve([...keys, k], x)]));
    return v;
  };

  if (value.store !== undefined) {
    if (typeof value.store !== 'string')
      issue(
        ['store'],
        "'store' is the path of the store file or a ClickHouse address, e.g. store: ./trailwatch.duckdb or store: clickhouse://127.0.0.1:8123/trailwatch",
      );
    // A ClickHouse address is kept as written; a file path is relative to this file.
    else config.store = /^clickhouse:\/\//i.test(value.store) ? value.store : path.resolve(dir, value.store);
  }
  if (value.rules !== undefined)
    config.rules = (stringList(value.rules) ?? []).map((r) => (r === 'builtin' ? r : path.resolve(dir, r)));
  if (value.lists !== undefined) {
    if (!isJsonObject(value.lists)) issue(['lists'], "'lists' maps a list name to values");
    else
      for (const [name, values] of Object.entries(value.lists))
        config.lists.set(name, stringList(values) ?? []);
  }
  if (value.retain !== undefined) {
    const ms = durationMs(value.retain);
    if (ms === null || ms < 86_400_000)
      issue(['retain'], "'retain' is a duration of at least a day, e.g. retain: 400d");
    else config.retainMs = ms;
  }
  if (value.sessionNamePolicy !== undefined) config.sessionNamePolicy = jsonText(value.sessionNamePolicy);
  if (isJsonObject(value.ui) && typeof value.ui.baseUrl === 'string')
    config.uiBaseUrl = value.ui.baseUrl.replace(/\/$/, '');

  const n = value.notifications;
  if (n !== undefined && !isJsonObject(n))
    issue(['notifications'], "'notifications' has destinations, routes and retry");
  if (isJsonObject(n)) {
    const names = new Set<string>();
    const dests = Array.isArray(n.destinations) ? n.destinations : [];
    if (n.destinations !== undefined && !Array.isArray(n.destinations))
      issue(['notifications', 'destinations'], "'destinations' is a list");
    dests.forEach((d, i) => {
      const at = ['notifications', 'destinations', i];
      if (!isJsonObject(d) || typeof d.name !== 'string' || typeof d.type !== 'string') {
        issue(at, 'a destination needs a name and a type');
        return;
      }
      const spec = DESTINATION_TYPES[d.type];
      if (!spec) {
        issue(
          [...at, 'type'],
          `unknown destination type '${d.type}' (known: ${Object.keys(DESTINATION_TYPES).join(', ')})`,
        );
        return;
      }
      if (names.has(d.name)) issue([...at, 'name'], `destination name '${d.name}' is used twice`);
      names.add(d.name);
      for (const f of spec.required)
        if (d[f] === undefined) issue(at, `a ${d.type} destination needs '${f}'`);
      for (const f of Object.keys(d))
        if (!['name', 'type', ...spec.required, ...spec.optional].includes(f))
          issue([...at, f], `unknown field '${f}' for a ${d.type} destination`);
      const { name, type, ...fields } = d;
      const entry: DestinationEntry = {
        name,
        type,
        fields: resolve(at, fields) as Record<string, unknown>,
      };
      config.destinations.push(entry);
    });
    const routes = Array.isArray(n.routes) ? n.routes : [];
    routes.forEach((r, i) => {
      const at = ['notifications', 'routes', i];
      if (!isJsonObject(r)) {
        issue(at, 'a route is a map with destinations and filters');
        return;
      }
      const destinations = stringList(r.destinations) ?? [];
      if (!destinations.length) issue(at, 'a route needs destinations');
      for (const d of destinations)
        if (!names.has(d)) issue([...at, 'destinations'], `unknown destination '${d}'`);
      const min = r.minSeverity;
      if (min !== undefined && !SEVERITIES.includes(min as Severity))
        issue([...at, 'minSeverity'], `minSeverity is one of ${SEVERITIES.join(', ')}`);
      const route: RouteConfig = {
        destinations,
        minSeverity: SEVERITIES.includes(min as Severity) ? (min as Severity) : null,
        rules: stringList(r.rules),
        tags: stringList(r.tags),
        accounts: stringList(r.accounts),
      };
      config.routes.push(route);
    });
    if (isJsonObject(n.retry)) {
      const maxAttempts = n.retry.maxAttempts;
      const initial = durationMs(n.retry.initialDelay);
      const max = durationMs(n.retry.maxDelay);
      if (maxAttempts !== undefined && (typeof maxAttempts !== 'number' || maxAttempts < 1))
        issue(['notifications', 'retry', 'maxAttempts'], 'maxAttempts is a positive number');
      if (n.retry.initialDelay !== undefined && initial === null)
        issue(['notifications', 'retry', 'initialDelay'], 'expected a duration such as 30s');
      if (n.retry.maxDelay !== undefined && max === null)
        issue(['notifications', 'retry', 'maxDelay'], 'expected a duration such as 1h');
      config.retry = {
        maxAttempts: typeof maxAttempts === 'number' ? maxAttempts : DEFAULT_RETRY.maxAttempts,
        initialDelayMs: initial ?? DEFAULT_RETRY.initialDelayMs,
        maxDelayMs: max ?? DEFAULT_RETRY.maxDelayMs,
      };
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return config;
}

/** The configuration file: `--config`, else TRAILWATCH_CONFIG, else ./trailwatch.yml if present; none otherwise. */
export function loadConfig(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): Config {
  const explicit = flag ?? env.TRAILWATCH_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'trailwatch.yml');
  if (!existsSync(file)) {
    if (explicit)
      throw new ConfigError([{ file, line: null, path: '', message: 'configuration file not found' }]);
    return emptyConfig();
  }
  return parseConfig(readFileSync(file, 'utf8'), file, env);
}
