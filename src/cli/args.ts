// Command-line option helpers over node:util parseArgs: repeatable and comma-separated lists, times.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  DEFAULT_SESSION_NAME_POLICY,
  parseSessionNamePolicy,
  SessionNamePolicyError,
  type SessionNamePolicy,
} from '../identity/session-name.js';
import { parseTimeArg } from '../parse/time.js';
import { UsageError } from './errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A repeatable option's values, with comma-separated values split: `--region a,b --region c`. */
export function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]) as string[];
  const out = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return out.length ? out : undefined;
}

/**
 * The rule files a command loads: `--rules` on its command line, else the configuration's `rules:`,
 * else (undefined) the built-in pack. Every command that runs or shows rules asks this, so a
 * configured rule directory is the same everywhere.
 */
export function ruleTargets(cli: unknown, config: { rules: string[] | null }): string[] | undefined {
  return list(cli) ?? config.rules ?? undefined;
}

export function time(value: string | undefined, flag: string, now: number): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseTimeArg(value, now);
  if (ms === null)
    throw new UsageError(
      `${flag} ${value}: expected a time such as 2h, 7d, 2024-05-01 or 2024-05-01T12:00:00Z`,
    );
  return ms;
}

export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} ${value}: expected a positive whole number, e.g. ${flag} 100`);
  return n;
}

export function oneOf<T extends string>(
  value: string | undefined,
  flag: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} ${value}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** Options every store-using command takes. */
export const STORE_OPTIONS = {
  db: { type: 'string' },
  config: { type: 'string' },
} as const satisfies Options;

export function sessionNamePolicy(value: string | undefined): SessionNamePolicy {
  if (value === undefined) return DEFAULT_SESSION_NAME_POLICY;
  try {
    return parseSessionNamePolicy(value);
  } catch (err) {
    if (err instanceof SessionNamePolicyError) throw new UsageError(`--session-name-policy: ${err.message}`);
    throw err;
  }
}

/**
 * The session-name policy a command checks with: `--session-name-policy`, else the configuration's
 * `sessionNamePolicy:`, else the default. Every command that checks or shows session names asks
 * this, so an event shows the check its alerts were raised under.
 */
export function configuredPolicy(
  cli: string | undefined,
  config: { sessionNamePolicy: string | null },
): SessionNamePolicy {
  return sessionNamePolicy(cli ?? config.sessionNamePolicy ?? undefined);
}

/** `--list name=value,value` (repeatable): values users add to a rule's named list. */
export function namedLists(value: string[] | undefined): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const item of value ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--list ${item}: expected NAME=VALUE[,VALUE…], e.g. --list admin-policies=arn:aws:iam::aws:policy/PowerUserAccess`,
      );
    const name = item.slice(0, eq);
    const values = item
      .slice(eq + 1)
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    lists.set(name, [...(lists.get(name) ?? []), ...values]);
  }
  return lists;
}
