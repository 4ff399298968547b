// Shared by the rule-pack tests: the built-in pack, and the public corpus when it is present.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { BUILTIN_RULES } from '../../src/app.js';
import type { JsonObject } from '../../src/domain/json.js';
import { loadRules, type LoadResult } from '../../src/rules/load.js';

export const CORPUS = path.resolve(import.meta.dirname, '../../../shared/corpus');
export const hasCorpus = existsSync(CORPUS);

let pack: Promise<LoadResult> | undefined;
export function builtinPack(): Promise<LoadResult> {
  return (pack ??= loadRules([BUILTIN_RULES]));
}

export function enabled(result: LoadResult): LoadResult['rules'] {
  return result.rules.filter((r) => r.meta.status === 'stable' || r.meta.status === 'test');
}

export interface StratusTechnique {
  technique: string;
  title: string;
  records: JsonObject[];
}

export function stratusTechniques(): StratusTechnique[] {
  const dir = path.join(CORPUS, 'stratus');
  const titles = new Map(
    readFileSync(path.join(dir, 'techniques.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { technique: string; title: string })
      .map((t) => [t.technique, t.title]),
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const technique = f.replace(/\.json$/, '');
      return {
        technique,
        title: titles.get(technique) ?? technique,
        records: JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as JsonObject[],
      };
    });
}

export interface PantherCase {
  rule: string;
  expected: boolean;
  name: string;
  enabled: boolean;
  threshold: number | null;
  mocks: unknown;
  event: JsonObject;
}

export function pantherCases(): PantherCase[] {
  return readFileSync(path.join(CORPUS, 'panther-cases.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PantherCase);
}
