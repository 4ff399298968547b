// `trailwatch verify <DIR | s3://…>`: checks log files against CloudTrail's digests — hashes, chain, signatures, gaps.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPublicKeyLister, createSources } from '../app.js';
import { loadPublicKey } from '../integrity/digest.js';
import { fileKey } from '../integrity/keys.js';
import { verifySource } from '../pipeline/verify.js';
import { oneOf, parse } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { printable } from './format.js';
import type { Io } from './io.js';

export const VERIFY_HELP = `Usage: trailwatch verify <DIR | s3://bucket[/prefix]> [--public-key FILE]… [--offline] [--format text|jsonl]

Validates a trail (the AWSLogs/… layout, with CloudTrail-Digest/ folders), in its S3 bucket or copied
to a folder: the SHA-256 of every log file against the digests, the backward chain of digests
(previous hash and signature), the RSA signature of every digest, and reports missing, modified and
unlisted files and gaps. A digest's signature is its S3 object metadata x-amz-meta-signature (and
x-amz-meta-signature-algorithm); in a folder, a '<digest>.signature' file holding that hex. Exit
status 0 when everything verifies, 1 when a problem was found, 2 when the bucket or the keys could
not be read.

Public keys: the keys given with --public-key (PEM or DER; matched by fingerprint) are used first;
for each region with digests they do not cover, the keys are listed with cloudtrail:ListPublicKeys
in that region for the period of its digests, and a listed key verifies only digests that ended
within its validity window.

  --public-key FILE              a region public key (repeatable)
  --offline                      no API call: keys only from --public-key (the rest stay unverified)
  --profile P, --region R, --endpoint-url URL   AWS access for s3:// (needs s3:ListBucket, s3:GetObject)
  --cloudtrail-endpoint-url URL  the CloudTrail endpoint for ListPublicKeys (default:
                                 $AWS_ENDPOINT_URL_CLOUDTRAIL, else the region's)
`;

const OPTIONS = {
  'public-key': { type: 'string', multiple: true },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'cloudtrail-endpoint-url': { type: 'string' },
  offline: { type: 'boolean' },
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
  if (!target || extra.length)
    throw new UsageError(`verify needs one directory or s3:// URL\n\n${VERIFY_HELP}`);
  const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
  const keys = (values['public-key'] ?? []).map((file) => {
    try {
      return fileKey(loadPublicKey(readFileSync(path.resolve(io.cwd, file))), file);
    } catch (err) {
      throw new UsageError(`--public-key ${file}: ${(err as Error).message}`);
    }
  });
  const isS3 = target.startsWith('s3://');
  if (!isS3 && /^[a-z0-9]+:\/\//i.test(target))
    throw new UsageError(`verify reads a folder or s3://bucket[/prefix], found ${target}`);
  const aws = {
    ...(values.profile !== undefined && { profile: values.profile }),
    ...(values.region !== undefined && { region: values.region }),
    ...(values['endpoint-url'] !== undefined && { endpointUrl: values['endpoint-url'] }),
  };
  // The same discovery as ingest: S3 finds the key layout's digest and log folders under any prefix.
  const [source] = createSources([isS3 ? target : path.resolve(io.cwd, target)], {
    filter: {},
    aws,
    stdin: io.stdin,
  });
  if (!source) throw new UsageError(`nothing to read at ${target}`);
  const cloudTrailEndpoint = values['cloudtrail-endpoint-url'] ?? io.env.AWS_ENDPOINT_URL_CLOUDTRAIL;
  const listKeys = values.offline
    ? undefined
    : createPublicKeyLister(
        {
          ...(values.profile !== undefined && { profile: values.profile }),
          ...(cloudTrailEndpoint !== undefined && { endpointUrl: cloudTrailEndpoint }),
        },
        {
          endpointOption:
            values['cloudtrail-endpoint-url'] === undefined && cloudTrailEndpoint !== undefined
              ? 'AWS_ENDPOINT_URL_CLOUDTRAIL'
              : '--cloudtrail-endpoint-url',
          alternative: 'Without the API: --offline, with the region keys as --public-key FILE.',
        },
      );
  const report = await verifySource({
    source,
    keys,
    ...(listKeys && { listKeys }),
    signatureOf: (key) => {
      if (isS3) return Promise.resolve(null);
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
    for (const l of report.keysListed)
      io.out(`  public keys of ${l.region} from ListPublicKeys (${l.start} to ${l.end}): ${l.keys}\n`);
    for (const p of report.problems)
      io.out(`  ${p.kind.padEnd(20)} ${printable(p.key)}: ${printable(p.detail)}\n`);
    for (const u of report.unreadable) io.out(`  unreadable           ${printable(u)}\n`);
    io.out(report.problems.length || report.unreadable.length ? 'problems found\n' : 'the trail verifies\n');
  }
  return report.problems.length || report.unreadable.length ? EXIT.quarantined : EXIT.ok;
}
