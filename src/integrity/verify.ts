// Verifying a trail against its digests: file hashes, the backward chain, signatures and gaps. Pure.
import type { KeyObject } from 'node:crypto';
import { isSignatureValid, keyFingerprint, SIGNATURE_ALGORITHM, type Digest } from './digest.js';

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
 * `logFiles` maps each log file's layout path to the SHA-256 of its uncompressed content; `keys`
 * are the regions' public keys (any number; matched by fingerprint).
 */
export function verifyTrail(
  digests: readonly Digest[],
  logFiles: ReadonlyMap<string, string>,
  keys: readonly KeyObject[],
): IntegrityReport {
  const problems: IntegrityProblem[] = [];
  const byFingerprint = new Map(keys.map((k) => [keyFingerprint(k), k]));
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
    const key = d.publicKeyFingerprint ? byFingerprint.get(d.publicKeyFingerprint) : undefined;
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
    else if (!key)
      problems.push({
        kind: 'signature-unverified',
        key: d.key,
        detail: `no public key with fingerprint ${d.publicKeyFingerprint ?? '(none)'} was given`,
      });
    else if (!isSignatureValid(d, key))
      problems.push({
        kind: 'signature-invalid',
        key: d.key,
        detail: 'the RSA signature does not match the digest',
      });
    else signatures++;
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
