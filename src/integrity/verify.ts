// Verifying a trail against its digests: file hashes, the backward chain, signatures and gaps. Pure.
import { isSignatureValid, SIGNATURE_ALGORITHM, type Digest } from './digest.js';
import { describeValidity, digestRegion, isValidAt, type TrailKey } from './keys.js';

export type IntegrityProblemKind =
  | 'missing'
  | 'modified'
  | 'unlisted'
  | 'chain-broken'
  | 'previous-missing'
  | 'gap'
  | 'signature-invalid'
  | 'signature-unverified';

export interface IntegrityProblem {
  kind: IntegrityProblemKind;
  key: string;
  detail: string;
}

export interface IntegrityReport {
  digests: number;
  logFilesListed: number;
  logFilesVerified: number;
  signaturesVerified: number;
  problems: IntegrityProblem[];
}

/** The part of a key from `AWSLogs/` on: the same file under any local folder or S3 prefix. */
export function layoutPath(key: string): string {
  const normal = key.replaceAll('\\', '/');
  const at = normal.indexOf('AWSLogs/');
  return at >= 0 ? normal.slice(at) : normal;
}

/**
 * Checks a signed digest with the keys of its fingerprint that may sign for its region. A key must have
 * been valid when the digest's period ended (when CloudTrail signs it); null when the signature verifies.
 */
function signatureProblem(
  d: Digest,
  keys: readonly TrailKey[],
  listedRegions: ReadonlySet<string>,
): IntegrityProblem | null {
  const region = digestRegion(d.key) ?? digestRegion(d.digestS3Object);
  const candidates = keys.filter(
    (k) => k.fingerprint === d.publicKeyFingerprint && (k.region === null || k.region === region),
  );
  const fingerprint = d.publicKeyFingerprint ?? '(none)';
  // CloudTrail lists every key that signed in the period asked for: a key it does not know is not its own.
  if (!candidates.length && region !== null && listedRegions.has(region))
    return {
      kind: 'signature-invalid',
      key: d.key,
      detail: `signed with key ${fingerprint}, which ListPublicKeys does not list for ${region} in the digests' period`,
    };
  if (!candidates.length)
    return {
      kind: 'signature-unverified',
      key: d.key,
      detail: `no public key with fingerprint ${fingerprint} was given`,
    };
  const at = Date.parse(d.digestEndTime);
  const current = candidates.filter((k) => isValidAt(k, at));
  if (!current.length)
    return {
      kind: 'signature-invalid',
      key: d.key,
      detail:
        `the key with fingerprint ${d.publicKeyFingerprint ?? ''} was not valid at the digest's end time ` +
        `${d.digestEndTime || '(none)'}: ${candidates.map((k) => `${k.origin} valid ${describeValidity(k)}`).join('; ')}`,
    };
  if (!current.some((k) => isSignatureValid(d, k.key)))
    return { kind: 'signature-invalid', key: d.key, detail: 'the RSA signature does not match the digest' };
  return null;
}

/**
 * `logFiles` maps each log file's layout path to the SHA-256 of its uncompressed content; `keys`
 * are the regions' public keys (any number; matched by fingerprint, and by region and validity when
 * they carry them).
 */
export function verifyTrail(
  digests: readonly Digest[],
  logFiles: ReadonlyMap<string, string>,
  keys: readonly TrailKey[],
  /** Regions whose keys were listed by the API for the digests' period (the complete set for them). */
  listedRegions: ReadonlySet<string> = new Set(),
): IntegrityReport {
  const problems: IntegrityProblem[] = [];
  const listed = new Set<string>();
  let verified = 0;
  let signatures = 0;
  const byPath = new Map(digests.map((d) => [layoutPath(d.digestS3Object), d]));

  for (const d of digests) {
    for (const f of d.logFiles) {
      const p = layoutPath(f.s3Object);
      listed.add(p);
      const hash = logFiles.get(p);
      if (hash === undefined)
        problems.push({
          kind: 'missing',
          key: f.s3Object,
          detail: `listed in digest ${d.key} but not found`,
        });
      else if (hash !== f.hashValue)
        problems.push({
          kind: 'modified',
          key: f.s3Object,
          detail: `SHA-256 ${hash} differs from ${f.hashValue} in digest ${d.key}`,
        });
      else verified++;
    }
    if (d.previousDigestS3Object) {
      const previous = byPath.get(layoutPath(d.previousDigestS3Object));
      if (!previous)
        problems.push({
          kind: 'previous-missing',
          key: d.key,
          detail: `previous digest ${d.previousDigestS3Object} not found`,
        });
      else {
        if (previous.sha256 !== d.previousDigestHashValue)
          problems.push({
            kind: 'chain-broken',
            key: d.key,
            detail: `previous digest ${previous.key} hashes to ${previous.sha256}, not ${d.previousDigestHashValue ?? 'null'}`,
          });
        if (
          previous.signature &&
          d.previousDigestSignature &&
          previous.signature !== d.previousDigestSignature.toLowerCase()
        )
          problems.push({
            kind: 'chain-broken',
            key: d.key,
            detail: `previous digest ${previous.key} carries another signature than this digest records`,
          });
        if (previous.digestEndTime && d.digestStartTime && previous.digestEndTime !== d.digestStartTime)
          problems.push({
            kind: 'gap',
            key: d.key,
            detail: `digests do not cover ${previous.digestEndTime} to ${d.digestStartTime}`,
          });
      }
    }
    const algorithm = d.signatureAlgorithm ?? d.digestSignatureAlgorithm;
    if (
      d.signatureAlgorithm &&
      d.digestSignatureAlgorithm &&
      d.signatureAlgorithm !== d.digestSignatureAlgorithm
    )
      problems.push({
        kind: 'signature-invalid',
        key: d.key,
        detail: `the object's signature algorithm ${d.signatureAlgorithm} differs from the digest's ${d.digestSignatureAlgorithm}`,
      });
    else if (d.signature && algorithm && algorithm !== SIGNATURE_ALGORITHM)
      problems.push({
        kind: 'signature-unverified',
        key: d.key,
        detail: `signature algorithm ${algorithm} is not ${SIGNATURE_ALGORITHM}, the one CloudTrail uses`,
      });
    else if (!d.signature)
      problems.push({
        kind: 'signature-unverified',
        key: d.key,
        detail: 'no signature (x-amz-meta-signature or a .signature file) for this digest',
      });
    else {
      const problem = signatureProblem(d, keys, listedRegions);
      if (problem) problems.push(problem);
      else signatures++;
    }
  }
  for (const p of logFiles.keys())
    if (!listed.has(p))
      problems.push({
        kind: 'unlisted',
        key: p,
        detail: 'in the trail but in no digest (expected only for files newer than the last digest)',
      });
  return {
    digests: digests.length,
    logFilesListed: listed.size,
    logFilesVerified: verified,
    signaturesVerified: signatures,
    problems,
  };
}
