// CloudTrail digest files: what they say, and the checks that can be made from them. Pure.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { isJsonObject } from '../domain/json.js';

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
}

export interface Digest {
  /** Where the digest itself is (its own key, as found). */
  key: string;
  account: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  publicKeyFingerprint: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
  /** SHA-256 (hex) of the uncompressed digest file. */
  sha256: string;
  /** Hex signature from the object's `x-amz-meta-signature` (or a `.signature` file offline). */
  signature: string | null;
  /** The object's `x-amz-meta-signature-algorithm`, and the digest's own `digestSignatureAlgorithm`. */
  signatureAlgorithm: string | null;
  digestSignatureAlgorithm: string | null;
}

/** The only algorithm CloudTrail signs digests with. */
export const SIGNATURE_ALGORITHM = 'SHA256withRSA';

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Reads a digest from its uncompressed text; null when it is not one. */
export function parseDigest(
  text: string,
  key: string,
  signature: string | null,
  signatureAlgorithm: string | null = null,
): Digest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isJsonObject(value) || !Array.isArray(value.logFiles)) return null;
  const d = value;
  return {
    key,
    account: str(d.awsAccountId) ?? '',
    digestStartTime: str(d.digestStartTime) ?? '',
    digestEndTime: str(d.digestEndTime) ?? '',
    digestS3Bucket: str(d.digestS3Bucket) ?? '',
    digestS3Object: str(d.digestS3Object) ?? key,
    publicKeyFingerprint: str(d.digestPublicKeyFingerprint),
    previousDigestS3Object: str(d.previousDigestS3Object),
    previousDigestHashValue: str(d.previousDigestHashValue),
    previousDigestSignature: str(d.previousDigestSignature),
    logFiles: (d.logFiles as unknown[]).filter(isJsonObject).map((f) => ({
      s3Bucket: str(f.s3Bucket) ?? '',
      s3Object: str(f.s3Object) ?? '',
      hashValue: (str(f.hashValue) ?? '').toLowerCase(),
    })),
    sha256: sha256Hex(text),
    signature: signature?.trim().toLowerCase() ?? null,
    signatureAlgorithm: str(signatureAlgorithm),
    digestSignatureAlgorithm: str(d.digestSignatureAlgorithm),
  };
}

/** The string CloudTrail signs: end time, digest location, digest hash, previous signature. */
export function signingString(d: Digest): string {
  return `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${d.sha256}\n${d.previousDigestSignature ?? 'null'}`;
}

/** The fingerprint CloudTrail publishes for a public key: MD5 of its DER (PKCS#1) encoding, hex. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('md5')
    .update(key.export({ type: 'pkcs1', format: 'der' }))
    .digest('hex');
}

export function loadPublicKey(pemOrDer: Buffer): KeyObject {
  const text = pemOrDer.toString('utf8');
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  return createPublicKey({ key: pemOrDer, format: 'der', type: 'pkcs1' });
}

export function isSignatureValid(d: Digest, key: KeyObject): boolean {
  if (!d.signature) return false;
  return verifySignature('sha256', Buffer.from(signingString(d)), key, Buffer.from(d.signature, 'hex'));
}
