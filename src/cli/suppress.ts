// `trailwatch suppress add|list|remove`: suppressions as data, with a reason, an author and an expiry.
import { loadConfig } from '../config/load.js';
import { randomUUID } from 'node:crypto';
import { loadRuleSet, openStore, resolveDbPath } from '../app.js';
import type { Suppression } from '../domain/alert.js';
import { compileSuppression, SUPPRESSION_FIELDS, SuppressionError } from '../engine/suppress.js';
import { evaluatePending } from '../pipeline/evaluate.js';
import { oneOf, parse, ruleTargets, STORE_OPTIONS, time } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { isoTime, printable } from './format.js';
import type { Io } from './io.js';

export const SUPPRESS_HELP = `Usage: trailwatch suppress add [--rule ID] --match FIELD=VALUE[,VALUE…]… --reason TEXT [--expires T] [--author NAME]
       trailwatch suppress list [--format text|jsonl]
       trailwatch suppress remove ID

A suppression keeps matching alerts but marks them 'suppressed' (trailwatch alerts --status
suppressed lists them): nothing is dropped. Fields: ${SUPPRESSION_FIELDS.join(', ')};
modifiers as in rules (--match 'actor.arn|endswith=/ci-deployer'). --expires takes 7d or a date.
Example: trailwatch suppress add --rule ec2-security-group-changed --match account=222222222222 \\
           --match 'actor.arn|contains=:assumed-role/ci-deployer/' --reason "CI manages security groups" --expires 90d
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  rule: { type: 'string' },
  match: { type: 'string', multiple: true },
  reason: { type: 'string' },
  author: { type: 'string' },
  expires: { type: 'string' },
  format: { type: 'string' },
  rules: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function matchOf(items: string[] | undefined): Suppression['match'] {
  const match: Suppression['match'] = {};
  for (const item of items ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--match ${item}: expected FIELD=VALUE, e.g. --match account=111122223333`);
    const values = item
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    match[item.slice(0, eq)] = values.length === 1 ? (values[0] as string) : values;
  }
  return match;
}

export async function runSuppress(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, id] = positionals;
  if (values.help || !action) {
    io.out(SUPPRESS_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (!['add', 'list', 'remove'].includes(action))
    throw new UsageError(`unknown suppress action '${action}'\n\n${SUPPRESS_HELP}`);
  const config = loadConfig(values.config, io.env, io.cwd);
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  try {
    // The configured rules too: a key of a rule not loaded is marked evaluated without being decided.
    const reevaluate = async (): Promise<void> => {
      const { rules } = await loadRuleSet(ruleTargets(values.rules, config), io.cwd, {
        includeDisabled: true,
      });
      await evaluatePending(store, rules, io.now());
    };
    if (action === 'list') {
      const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
      const now = io.now();
      for (const s of await store.suppressions()) {
        if (format === 'jsonl') io.out(JSON.stringify(s) + '\n');
        else
          io.out(
            `${s.id}  ${s.ruleId ?? 'any rule'}  ${JSON.stringify(s.match)}  by ${printable(s.author)} ${isoTime(s.createdAt)}` +
              `${s.expiresAt === null ? '' : `, ${s.expiresAt > now ? 'expires' : 'expired'} ${isoTime(s.expiresAt)}`}\n    ${printable(s.reason)}\n`,
          );
      }
      return EXIT.ok;
    }
    if (action === 'remove') {
      if (!id)
        throw new UsageError('suppress remove needs the suppression id (see trailwatch suppress list)');
      if (!(await store.removeSuppression(id, io.now())))
        throw new UsageError(`no suppression with id ${id}`);
      await reevaluate();
      io.out(`removed ${id}; the alerts it covered were evaluated again\n`);
      return EXIT.ok;
    }
    if (!values.reason)
      throw new UsageError('suppress add needs --reason TEXT: say why these alerts are expected');
    const match = matchOf(values.match);
    if (!Object.keys(match).length && !values.rule)
      throw new UsageError('suppress add needs --rule and/or --match: it would suppress everything');
    const expires = time(
      values.expires?.match(/^\d+[smhdw]$/) ? undefined : values.expires,
      '--expires',
      io.now(),
    );
    const relative = values.expires?.match(/^(\d+)([smhdw])$/);
    const scale: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
    const expiresAt = relative
      ? io.now() + Number(relative[1]) * (scale[relative[2] ?? 'd'] ?? 0)
      : (expires ?? null);
    const suppression: Suppression = {
      id: `sup-${randomUUID().slice(0, 8)}`,
      ruleId: values.rule ?? null,
      match,
      reason: values.reason,
      author: values.author ?? io.env.USER ?? 'unknown',
      createdAt: io.now(),
      expiresAt,
    };
    try {
      compileSuppression(suppression);
    } catch (err) {
      if (err instanceof SuppressionError) throw new UsageError(`--match: ${err.message}`);
      throw err;
    }
    await store.addSuppression(suppression);
    await reevaluate();
    const covered = (await store.alerts({ statuses: ['suppressed'], limit: 100_000 })).filter(
      (a) => a.suppressedBy === suppression.id,
    );
    io.out(
      `added ${suppression.id}; it covers ${covered.length} existing alert${covered.length === 1 ? '' : 's'}\n`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
