// Loads rule files (Trailwatch YAML or Sigma) from directories, with every problem located by file and line.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { lineOf } from '../domain/yaml-position.js';
import { isJsonObject, jsonText } from '../domain/json.js';
import type { CompiledRule, RuleIssue } from '../domain/rule.js';
import { compileRule } from './compile.js';
import { isSigma, sigmaToDoc } from './sigma.js';

/** Every top-level key a Trailwatch rule file may have. */
export const RULE_KEYS: ReadonlySet<string> = new Set([
  'id',
  'title',
  'description',
  'severity',
  'status',
  'tactics',
  'techniques',
  'references',
  'falsePositives',
  'runbook',
  'equivalents',
  'type',
  'detection',
  'threshold',
  'newValue',
  'sequence',
  'output',
  'lists',
  'tests',
  'author',
  'date',
  'modified',
]);

export interface LoadResult {
  rules: CompiledRule[];
  issues: RuleIssue[];
  files: number;
}

export interface LoadOptions {
  extraLists?: ReadonlyMap<string, readonly string[]>;
}

async function ruleFiles(target: string): Promise<string[]> {
  const st = await stat(target);
  if (st.isFile()) return [target];
  const out: string[] = [];
  for (const entry of (await readdir(target, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) out.push(...(await ruleFiles(full)));
    else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

export function loadRuleText(
  text: string,
  file: string,
  options: LoadOptions = {},
): { rule: CompiledRule | null; issues: RuleIssue[] } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const issues: RuleIssue[] = [];
  for (const e of doc.errors)
    issues.push({
      file,
      line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line,
      path: '',
      message: `YAML: ${e.message.split('\n')[0] ?? ''}`,
      severity: 'error',
    });
  if (doc.errors.length) return { rule: null, issues };
  const value = doc.toJS() as unknown;
  const root = doc.contents as Node | null;
  const report = (
    keys: (string | number)[],
    message: string,
    severity: 'error' | 'warning' = 'error',
  ): void => {
    issues.push({ file, line: lineOf(root, keys, counter), path: keys.join('.'), message, severity });
  };
  if (!isJsonObject(value)) {
    report([], 'a rule file holds one YAML map');
    return { rule: null, issues };
  }
  const fileId = path.basename(file).replace(/\.ya?ml$/i, '');
  let ruleDoc = value;
  const format = isSigma(ruleDoc) ? 'sigma' : 'trailwatch';
  if (format === 'sigma') ruleDoc = sigmaToDoc(ruleDoc, fileId, report);
  else {
    for (const key of Object.keys(ruleDoc)) if (!RULE_KEYS.has(key)) report([key], `unknown key '${key}'`);
    if (ruleDoc.id !== fileId)
      report(['id'], `id '${jsonText(ruleDoc.id)}' must equal the file name '${fileId}'`);
    if (typeof ruleDoc.id === 'string' && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(ruleDoc.id))
      report(['id'], `id '${ruleDoc.id}' must be kebab-case (a-z, 0-9, -)`);
    const keys = Object.keys(ruleDoc);
    if ('tests' in ruleDoc && keys[keys.length - 1] !== 'tests')
      report(['tests'], "'tests' comes last in a rule file", 'warning');
  }
  const rule = compileRule(ruleDoc, {
    file,
    format,
    report,
    ...(options.extraLists ? { extraLists: options.extraLists } : {}),
  });
  if (rule)
    rule.tests.forEach((t, i) => {
      t.line = lineOf(root, ['tests', i], counter);
    });
  return { rule: issues.some((i) => i.severity === 'error') ? null : rule, issues };
}

/** Loads every `.yml`/`.yaml` under the given files or directories; duplicate ids are problems. */
export async function loadRules(targets: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const rules: CompiledRule[] = [];
  const issues: RuleIssue[] = [];
  const seen = new Map<string, string>();
  let files = 0;
  for (const target of targets) {
    for (const file of await ruleFiles(target)) {
      files++;
      const result = loadRuleText(await readFile(file, 'utf8'), file, options);
      issues.push(...result.issues);
      if (!result.rule) continue;
      const other = seen.get(result.rule.meta.id);
      if (other) {
        issues.push({
          file,
          line: 1,
          path: 'id',
          message: `id '${result.rule.meta.id}' is also used by ${other}`,
          severity: 'error',
        });
        continue;
      }
      seen.set(result.rule.meta.id, file);
      rules.push(result.rule);
    }
  }
  return { rules, issues, files };
}
