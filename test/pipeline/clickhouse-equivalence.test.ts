// Cross-backend equivalence: the same data ingested into DuckDB and into ClickHouse gives the same
// events, the same origins and the same alerts, through the real CLI.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { writeDemoTrail } from '../../src/demo/write.js';
import { cli } from '../helpers/cli.js';
import { snapshot } from '../helpers/snapshot.js';
import { hasClickhouse, startClickhouse, type ClickhouseServer } from '../helpers/clickhouse-server.js';

const END = Date.parse('2024-06-12T15:20:00Z');
const NOW = END + 3_600_000;
const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`SKIPPED corpus equivalence: ${CORPUS} is not present`);

const runs = hasClickhouse();
// Made only when the tests run: a skipped file runs no hooks, and would leave it behind.
const dir = runs ? mkdtempSync(path.join(tmpdir(), 'tw-equivalence-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function ingest(data: string, db: string, ...more: string[]): Promise<string> {
  const r = await cli(['ingest', data, '--db', db, ...more], { now: NOW, cwd: dir });
  // 1: something was quarantined (the corpus has such records); anything else is a failure.
  if (r.code > 1) throw new Error(`ingest into ${db}: ${r.err}`);
  return r.out;
}

const look = (db: string, maxOrigins?: number) =>
  snapshot(db, { now: NOW, cwd: dir, ...(maxOrigins ? { maxOrigins } : {}) });

/** An event as stored, without the attribution read from the ledger. */
function stored(line: string): string {
  const e = JSON.parse(line) as { actor: Record<string, unknown> };
  for (const k of ['origin', 'chain', 'resolvedBy', 'confidence', 'resolutionDetail']) delete e.actor[k];
  return JSON.stringify(e);
}

describe.skipIf(!runs)('DuckDB and ClickHouse give the same results', () => {
  let server: ClickhouseServer;
  const data = path.join(dir, 'demo');
  beforeAll(async () => {
    server = await startClickhouse();
    await writeDemoTrail(generateDemoTrail({ end: END }), data);
  });
  afterAll(async () => {
    await server?.stop();
  });

  // Both ingest through the CLI into both stores: 16-18 s alone, over 60 s on a loaded machine.
  it('for the demo organisation: events, origins and alerts', { timeout: 180_000 }, async () => {
    const duck = path.join(dir, 'demo.duckdb');
    const click = `clickhouse://127.0.0.1:${server.httpPort}/demo_one`;
    await ingest(data, duck);
    await ingest(data, click);
    const expected = await look(duck);
    expect(expected.events.length).toBeGreaterThan(4000);
    expect(expected.alerts.length).toBeGreaterThan(5);
    expect(Object.keys(expected.origins).length).toBeGreaterThan(1);
    const actual = await look(click);
    expect(actual.events.length).toBe(expected.events.length);
    expect(actual.alerts).toEqual(expected.alerts);
    expect(actual.origins).toEqual(expected.origins);
    expect(actual.events).toEqual(expected.events);
    // Four worker processes, each with its accounts and regions, store the same events, attribute
    // them alike and raise the same alerts: a worker that matched a session of another account
    // before that account's worker stored the issuing AssumeRole matches it again once it is stored.
    const four = `clickhouse://127.0.0.1:${server.httpPort}/demo_four`;
    const byFour = JSON.parse(await ingest(data, four, '--workers', '4', '--format', 'json')) as {
      objectsRead: number;
      eventsStored: number;
    };
    expect(byFour.objectsRead).toBe(793);
    expect(byFour.eventsStored).toBe(expected.events.length);
    const fourLook = await look(four);
    expect(fourLook.events.map(stored)).toEqual(expected.events.map(stored));
    expect(fourLook.alerts).toEqual(expected.alerts);
    expect(fourLook.origins).toEqual(expected.origins);
    // A second run reads nothing and changes nothing.
    expect(await ingest(data, click, '--format', 'json')).toContain('"objectsRead":0');
    expect(await look(click)).toEqual(actual);
  });

  it.skipIf(!hasCorpus)('for the public corpus', { timeout: 180_000 }, async () => {
    const corpus = path.join(dir, 'corpus');
    mkdirSync(corpus);
    for (const f of readdirSync(path.join(CORPUS, 'stratus')).filter((n) => n.endsWith('.json')))
      await copyFile(path.join(CORPUS, 'stratus', f), path.join(corpus, f));
    for (const f of ['panther-cases.jsonl', 'panther-scenarios.jsonl', 'awsdocs-examples.jsonl'])
      await copyFile(path.join(CORPUS, f), path.join(corpus, f));
    const duck = path.join(dir, 'corpus.duckdb');
    const click = `clickhouse://127.0.0.1:${server.httpPort}/corpus_one`;
    await ingest(corpus, duck);
    await ingest(corpus, click);
    // The corpus spans years of test fixtures, a month partition each: 12 origins keep it quick.
    const expected = await look(duck, 12);
    expect(expected.events.length).toBeGreaterThan(100);
    expect(expected.alerts.length).toBeGreaterThan(50);
    expect(await look(click, 12)).toEqual(expected);
  });
});
