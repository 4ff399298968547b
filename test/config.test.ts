// trailwatch.yml: every problem with file and line, secrets resolved and never shown, the JSON Schema in step.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { besideStore, resolveDbPath } from '../src/app.js';
import { ConfigError, DESTINATION_FIELDS, loadConfig, parseConfig } from '../src/config/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `store: ./data/trailwatch.duckdb
rules: [builtin, ./my-rules]
lists:
  admin-policies: [arn:aws:iam::aws:policy/PowerUserAccess]
ui:
  baseUrl: http://127.0.0.1:8080/
secretsFile: ./secrets.yml
notifications:
  destinations:
    - name: soc-webhook
      type: webhook
      url: https://hooks.example.com/trailwatch
      secret: \${secret:webhook_key}
    - name: slack
      type: slack
      webhookUrl: \${env:SLACK_URL}
  routes:
    - destinations: [slack]
      minSeverity: high
    - destinations: [soc-webhook]
      tags: [TA0005]
  retry: { maxAttempts: 5, initialDelay: 10s, maxDelay: 10m }
`;

describe('configuration file', () => {
  it('reads a valid file, resolving secrets from the environment and the secrets file', () => {
    writeFileSync(path.join(dir, 'secrets.yml'), 'webhook_key: s3cr3t-value\n');
    const file = path.join(dir, 'trailwatch.yml');
    writeFileSync(file, GOOD);
    const c = loadConfig(undefined, { SLACK_URL: 'https://hooks.slack.com/services/T/B/X' }, dir);
    expect(c.store).toBe(path.join(dir, 'data/trailwatch.duckdb'));
    expect(c.rules).toEqual(['builtin', path.join(dir, 'my-rules')]);
    expect(c.uiBaseUrl).toBe('http://127.0.0.1:8080');
    expect(c.destinations.map((d) => [d.name, d.type, d.fields])).toEqual([
      ['soc-webhook', 'webhook', { url: 'https://hooks.example.com/trailwatch', secret: 's3cr3t-value' }],
      ['slack', 'slack', { webhookUrl: 'https://hooks.slack.com/services/T/B/X' }],
    ]);
    expect(c.routes[0]).toEqual({
      destinations: ['slack'],
      minSeverity: 'high',
      rules: null,
      tags: null,
      accounts: null,
    });
    expect(c.retry).toEqual({ maxAttempts: 5, initialDelayMs: 10_000, maxDelayMs: 600_000 });
  });

  it('keeps a ClickHouse store address as written, and resolves it above the file only when nothing overrides it', () => {
    const file = path.join(dir, 'clickhouse.yml');
    writeFileSync(file, 'store: clickhouse://127.0.0.1:8123/trailwatch?cluster=two\n');
    const c = loadConfig(file, {}, dir);
    expect(c.store).toBe('clickhouse://127.0.0.1:8123/trailwatch?cluster=two');
    expect(resolveDbPath(undefined, {}, '/work', c)).toBe(
      'clickhouse://127.0.0.1:8123/trailwatch?cluster=two',
    );
    expect(resolveDbPath(undefined, { TRAILWATCH_DB: 'x.duckdb' }, '/work', c)).toBe('/work/x.duckdb');
    expect(resolveDbPath('clickhouse://h:8123/db', {}, '/work', c)).toBe('clickhouse://h:8123/db');
    expect(besideStore('clickhouse://h:8123/db', 'dead-letters.jsonl', '/work')).toBe(
      '/work/db.dead-letters.jsonl',
    );
    expect(besideStore('/work/x.duckdb', 'dead-letters.jsonl', '/work')).toBe(
      '/work/x.duckdb.dead-letters.jsonl',
    );
  });

  it('reports every problem with its line, and names missing secrets without showing values', () => {
    const bad = GOOD.replace('minSeverity: high', 'minSeverity: urgent')
      .replace('type: slack', 'type: carrier-pigeon')
      .replace('store:', 'stor:')
      .replace('secretsFile: ./secrets.yml\n', '');
    let error: ConfigError | null = null;
    try {
      parseConfig(bad, '/etc/trailwatch.yml', {});
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const found = error?.issues.map((i) => [i.line, i.message]) ?? [];
    expect(found).toEqual(
      expect.arrayContaining([
        [1, expect.stringContaining("unknown key 'stor'") as string],
        [12, 'secret webhook_key is not set'],
        [14, expect.stringContaining("unknown destination type 'carrier-pigeon'") as string],
        [17, "unknown destination 'slack'"],
        [18, expect.stringContaining('minSeverity is one of') as string],
      ]),
    );
    expect(error?.message).toContain('/etc/trailwatch.yml:18');
  });

  it('is optional unless named', () => {
    expect(loadConfig(undefined, {}, path.join(dir, 'missing-dir')).destinations).toEqual([]);
    expect(() => loadConfig('nope.yml', {}, dir)).toThrow(ConfigError);
  });

  it('has a JSON Schema for editors that matches what the loader accepts', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '../docs/trailwatch.schema.json'), 'utf8'),
    ) as {
      properties: Record<string, unknown>;
      $defs?: unknown;
    } & {
      properties: {
        notifications: {
          properties: {
            destinations: { items: { oneOf: { properties: Record<string, unknown>; required: string[] }[] } };
          };
        };
      };
    };
    expect(Object.keys(schema.properties).sort()).toEqual([
      'lists',
      'notifications',
      'retain',
      'rules',
      'secretsFile',
      'sessionNamePolicy',
      'store',
      'ui',
    ]);
    const variants = schema.properties.notifications.properties.destinations.items.oneOf;
    const byType = Object.fromEntries(
      variants.map((v) => [(v.properties.type as { const: string }).const, v]),
    );
    for (const [type, spec] of Object.entries(DESTINATION_FIELDS)) {
      const v = byType[type];
      expect(v, type).toBeDefined();
      expect(Object.keys(v?.properties ?? {}).sort()).toEqual(
        ['name', 'type', ...spec.required, ...spec.optional].sort(),
      );
      expect([...(v?.required ?? [])].sort()).toEqual(['name', 'type', ...spec.required].sort());
    }
  });
});
