// `trailwatch verify DIR`: checks log files against CloudTrail's digests — hashes, chain, signatures, gaps.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSources } from '../app.js';
import { loadPublicKey } from '../integrity/digest.js';
import { verifySource } from '../pipeline/verify.js';
import { oneOf, parse } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { printable } from './format.js';
import type { Io } from './io.js';

export const VERIFY_HELP = `Usage: trailwatch verify <DIR> [--public-key FILE]… [--format text|jsonl]

Validates a copied trail (the AWSLogs/… layout, with CloudTrail-Digest/ folders): the SHA-256 of every
log file against the digests, the backward chain of digests (previous hash and signature), the RSA
signature of every digest with the given public keys (PEM or DER, as cloudtrail:ListPublicKeys
returns them; matched by fingerprint; a digest's signature is read from a '<digest>.signature' file
holding the hex of its x-amz-meta-signature), and reports missing, modified and unlisted files and
gaps. Exit status 0 when everything verifies, 1 when a problem was found.
`;

const OPTIONS = {
  'public-key': { type: 'string', multiple: true },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runVerify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    io.out(VERIFY_HELP);
    return EXIT.ok;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length) throw new UsageError(`verify needs one directory\n\n${VERIFY_HELP}`);
  if (target.startsWith('s3://'))
    throw new UsageError(
      'verify reads a local copy for now: aws s3 sync the trail, with digest metadata, into a folder',
    );
  const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
  const keys = (values['public-key'] ?? []).map((file) => {
    try {
      return loadPublicKey(readFileSync(path.resolve(io.cwd, file)));
    } catch (err) {
      throw new UsageError(`--public-key ${file}: ${(err as Error).message}`);
    }
  });
  const root = path.resolve(io.cwd, target);
  const [source] = createSources([root], { filter: {}, aws: {}, stdin: io.stdin });
  if (!source) throw new UsageError(`nothing to read at ${target}`);
  const report = await verifySource({
    source,
    keys,
    signatureOf: (key) => {
      const file = `${key}.signature`;
      return Promise.resolve(existsSync(file) ? readFileSync(file, 'utf8').trim() : null);
    },
  });
  if (format === 'jsonl') io.out(JSON.stringify(report) + '\n');
  else {
    io.out(
      `digests: ${report.digests}; log files listed ${report.logFilesListed}, verified ${report.logFilesVerified}; ` +
        `signatures verified ${report.signaturesVerified}\n`,
    );
    for (const p of report.problems)
      io.out(`  ${p.kind.padEnd(20)} ${printable(p.key)}: ${printable(p.detail)}\n`);
    for (const u of report.unreadable) io.out(`  unreadable           ${printable(u)}\n`);
    io.out(report.problems.length || report.unreadable.length ? 'problems found\n' : 'the trail verifies\n');
  }
  return report.problems.length || report.unreadable.length ? EXIT.quarantined : EXIT.ok;
}
