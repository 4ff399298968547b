// `trailwatch rules list|validate|test|predicates`: the rule pack and rules of your own.
import { loadRuleSet, mergeLists } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { RuleIssue } from '../domain/rule.js';
import { runRuleTests } from '../engine/rule-tests.js';
import { PREDICATES } from '../rules/predicates/index.js';
import { list, namedLists, oneOf, parse, ruleTargets } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { table } from './format.js';
import type { Io } from './io.js';

export const RULES_HELP = `Usage: trailwatch rules <list|validate|test|predicates> [--rules DIR]… [--only ID,…] [--format text|jsonl]

  list         the rules with status, severity, type and ATT&CK mapping
  validate     report every problem in every rule file, with file and line (exit 1 if any error)
  test         run the tests embedded in every rule (exit 1 if any fails)
  predicates   the named predicates rules can use ('@predicate': name)

--list N=V,…   add values to a rule's named list (to the configuration's lists:)
--rules DIR    rule files or directories (Trailwatch YAML or Sigma); default: the configuration's
               rules:, else the built-in pack. Give --rules builtin to include the built-in pack
               along with your own.
--config PATH  the configuration file (else $TRAILWATCH_CONFIG, else ./trailwatch.yml if present)
`;

const OPTIONS = {
  config: { type: 'string' },
  rules: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  list: { type: 'string', multiple: true },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function formatIssue(i: RuleIssue): string {
  return `${i.file}${i.line === null ? '' : `:${i.line}`}: ${i.severity}: ${i.message}${i.path ? ` (at ${i.path})` : ''}`;
}

export async function runRules(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action] = positionals;
  if (values.help || !action) {
    io.out(RULES_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
  if (action === 'predicates') {
    for (const p of PREDICATES.values())
      io.out(
        format === 'jsonl'
          ? JSON.stringify({ name: p.name, description: p.description }) + '\n'
          : `${p.name}\n    ${p.description}\n`,
      );
    return EXIT.ok;
  }
  if (!['list', 'validate', 'test'].includes(action))
    throw new UsageError(`unknown rules action '${action}'\n\n${RULES_HELP}`);
  // The rules and lists ingest would run, so that what is tested is what runs.
  const config = loadConfig(values.config, io.env, io.cwd);
  const loaded = await loadRuleSet(ruleTargets(values.rules, config), io.cwd, {
    includeDisabled: true,
    extraLists: mergeLists(config.lists, namedLists(values.list)),
  });
  const only = list(values.only);
  const rules = only ? loaded.rules.filter((r) => only.includes(r.meta.id)) : loaded.rules;
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  if (action === 'validate' || errors.length) {
    for (const i of loaded.issues)
      (format === 'jsonl' ? io.out : io.err)(
        format === 'jsonl' ? JSON.stringify(i) + '\n' : formatIssue(i) + '\n',
      );
  }
  if (action === 'validate') {
    io.err(
      `${loaded.files} files, ${loaded.rules.length} rules, ${errors.length} errors, ${loaded.issues.length - errors.length} warnings\n`,
    );
    return errors.length ? EXIT.quarantined : EXIT.ok;
  }
  if (action === 'list') {
    if (format === 'jsonl') for (const r of rules) io.out(JSON.stringify({ ...r.meta, type: r.type }) + '\n');
    else
      io.out(
        table(rules, [
          { title: 'ID', width: 44, value: (r) => r.meta.id },
          { title: 'STATUS', width: 12, value: (r) => r.meta.status },
          { title: 'SEVERITY', width: 8, value: (r) => r.meta.severity },
          { title: 'TYPE', width: 9, value: (r) => r.type },
          { title: 'ATT&CK', width: 30, value: (r) => [...r.meta.tactics, ...r.meta.techniques].join(' ') },
          { title: 'TITLE', width: 60, value: (r) => r.meta.title },
        ]) + '\n',
      );
    return errors.length ? EXIT.quarantined : EXIT.ok;
  }
  let failed = 0;
  let passed = 0;
  for (const rule of rules) {
    for (const r of await runRuleTests(rule)) {
      if (r.isPassed) passed++;
      else failed++;
      if (format === 'jsonl') io.out(JSON.stringify(r) + '\n');
      else if (!r.isPassed)
        io.out(
          `FAIL ${r.file}${r.line === null ? '' : `:${r.line}`} ${r.ruleId} › ${r.test}: expected ${r.expected}, got ${r.actual} alerts${r.detail ? ` (${r.detail})` : ''}\n`,
        );
    }
  }
  io.out(`rules: ${rules.length}; rule tests: ${passed} passed, ${failed} failed\n`);
  return failed || errors.length ? EXIT.quarantined : EXIT.ok;
}
