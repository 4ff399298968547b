// `trailwatch who <key | ARN | name>`: the origin behind an identity, its role chains and what it did.
import { loadConfig } from '../config/load.js';
import { openStore, resolveDbPath } from '../app.js';
import type { FacetCount } from '../storage/port.js';
import { whoIs, type IdentityProfile } from '../pipeline/who.js';
import { oneOf, parse, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { isoTime, printable } from './format.js';
import type { Io } from './io.js';

export const WHO_HELP = `Usage: trailwatch who <access key id | ARN | user name | session name> [--format text|jsonl] [--db PATH]

Shows the long-term identity (origin) behind it and how it was found, every role session minted on
its behalf with the event that created each hop, and what it did: first and last seen, accounts,
regions, source IPs, services and errors. Exit status 1 when nothing matches.
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function top(facets: FacetCount[] | undefined): string {
  if (!facets?.length) return '-';
  return facets.map((f) => `${printable(f.value ?? '(none)')} (${f.count})`).join(', ');
}

export function formatProfile(p: IdentityProfile): string {
  const a = p.activity;
  const o = p.origin;
  const lines = [
    `${printable(o.name)}  [${o.type} ${printable(o.id)}${o.accountId ? `, account ${o.accountId}` : ''}]`,
    `  found by: ${p.resolvedBy}, confidence ${p.confidence}${p.detail ? ` (${printable(p.detail)})` : ''}`,
    a.count
      ? `  activity: ${a.count} events, ${isoTime(a.firstSeen ?? 0)} → ${isoTime(a.lastSeen ?? 0)}, ${a.errors} failed`
      : '  activity: no events stored',
    `  accounts: ${top(a.facets.recipientAccountId)}`,
    `  regions: ${top(a.facets.awsRegion)}`,
    `  source IPs: ${top(a.facets.sourceIpAddress)}`,
    `  services: ${top(a.facets.eventSource)}`,
    `  errors: ${top(a.facets.errorCode?.filter((f) => f.value !== null))}`,
  ];
  for (const k of p.accessKeys)
    lines.push(
      `  access key ${k.accessKeyId} created ${isoTime(k.issuedAt)} by ${printable(k.caller.arn ?? k.caller.userName ?? '?')} (event ${k.eventId})`,
    );
  if (p.sessions.length) {
    lines.push(`  sessions (${p.sessions.length}):`);
    for (const { credential: c, events } of p.sessions) {
      const indent = '    '.repeat(Math.max(1, c.resolution.chain.length));
      lines.push(
        `${indent}${isoTime(c.issuedAt)} ${c.kind} ${c.accessKeyId} → ${printable(c.targetArn ?? c.roleArn ?? '?')}` +
          ` (event ${c.eventId}${c.sourceIpAddress ? ` from ${printable(c.sourceIpAddress)}` : ''}; ${events} events)`,
      );
    }
  }
  lines.push('  alerts: none yet (the detection engine is not built)');
  return lines.join('\n');
}

export async function runWho(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(WHO_HELP);
    return EXIT.ok;
  }
  const [term, ...extra] = positionals;
  if (!term || extra.length)
    throw new UsageError(`who needs exactly one identity, e.g. trailwatch who alice\n\n${WHO_HELP}`);
  const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
  const store = await openStore(
    resolveDbPath(values.db, io.env, io.cwd, loadConfig(values.config, io.env, io.cwd)),
    io.now,
  );
  try {
    const profiles = await whoIs(store, term);
    if (!profiles.length) {
      io.err(`no identity, key or session matches ${term}\n`);
      return EXIT.quarantined;
    }
    if (format === 'jsonl') for (const p of profiles) io.out(JSON.stringify(p) + '\n');
    else io.out(profiles.map(formatProfile).join('\n\n') + '\n');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
