// The layering rules of docs/architecture.md, checked against the real imports, and the doc against the code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatGraph, moduleGraph, NESTED } from './module-graph.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const graph = moduleGraph(path.join(ROOT, 'src'));
const deps = (m: string): string[] => [...(graph.get(m) ?? [])].sort();
const ADAPTERS = NESTED;

describe('architecture', () => {
  it('keeps the core free of adapters and I/O layers', () => {
    expect(deps('domain')).toEqual([]);
    expect(deps('parse')).toEqual(['domain']);
    expect(deps('identity').every((d) => ['domain', 'parse'].includes(d))).toBe(true);
    expect(deps('rules')).toEqual(['domain']);
    expect(deps('engine').every((d) => ['domain', 'identity', 'parse', 'rules'].includes(d))).toBe(true);
    for (const m of ['pipeline', 'parse', 'domain', 'identity', 'rules', 'engine', 'cli', 'demo'])
      for (const adapter of ADAPTERS) expect(deps(m), `${m} imports ${adapter}`).not.toContain(adapter);
  });

  it('lets adapters import only their port, the domain and each other never', () => {
    expect(deps('sources/local').every((d) => ['sources', 'domain'].includes(d))).toBe(true);
    expect(deps('sources/s3').every((d) => ['sources', 'domain'].includes(d))).toBe(true);
    expect(deps('sources/cloudtrail').every((d) => ['sources', 'domain'].includes(d))).toBe(true);
    expect(deps('storage/duckdb').every((d) => ['storage', 'domain'].includes(d))).toBe(true);
    expect(deps('storage/clickhouse').every((d) => ['storage', 'domain'].includes(d))).toBe(true);
  });

  it('picks implementations only in the composition root', () => {
    const importers = [...graph.entries()].filter(([, d]) => ADAPTERS.some((a) => d.has(a))).map(([m]) => m);
    expect(importers).toEqual(['app']);
  });

  it('documents the real module graph', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const block = /```text module-graph\n([\s\S]*?)```/.exec(doc)?.[1]?.trim();
    expect(block, 'docs/architecture.md needs a ```text module-graph block').toBeDefined();
    expect(block).toBe(formatGraph(graph));
  });
});
