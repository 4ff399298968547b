// Derives the module graph (folder to folder) from the import statements under src/.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Folders that are modules of their own — the adapters, each under its port's folder; everything
 * else belongs to its top folder under src/.
 */
export const NESTED = [
  'sources/cloudtrail',
  'sources/local',
  'sources/s3',
  'sources/sqs',
  'storage/duckdb',
  'storage/clickhouse',
];

export function moduleOf(srcRelative: string): string {
  const file = srcRelative.split(path.sep).join('/');
  const nested = NESTED.find((m) => file.startsWith(`${m}/`));
  if (nested) return nested;
  const slash = file.indexOf('/');
  return slash < 0 ? file.replace(/\.[jt]s$/, '') : file.slice(0, slash);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesUnder(path.join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [path.join(dir, e.name)]
        : [],
  );
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g;

/** module → the set of other modules it imports. */
export function moduleGraph(srcDir: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of filesUnder(srcDir)) {
    const from = moduleOf(path.relative(srcDir, file));
    const deps = graph.get(from) ?? new Set<string>();
    graph.set(from, deps);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1] ?? '');
      const to = moduleOf(path.relative(srcDir, target));
      if (to !== from) deps.add(to);
    }
  }
  return graph;
}

export function formatGraph(graph: Map<string, Set<string>>): string {
  return [...graph.keys()]
    .sort()
    .map((m) => `${m} -> ${[...(graph.get(m) ?? [])].sort().join(', ')}`.trimEnd())
    .join('\n');
}
