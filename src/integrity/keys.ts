// The public keys a trail is checked with: given as files (any region, always valid) or listed by the API for a
// region with a validity window. Pure.
import type { KeyObject } from 'node:crypto';
import { keyFingerprint, loadPublicKey, type Digest } from './digest.js';

export interface TrailKey {
  key: KeyObject;
  /** Computed from the key itself, never taken on trust. */
  fingerprint: string;
  /** Where it came from, for messages: a file name, or `ListPublicKeys us-east-1`. */
  origin: string;
  /** The region whose digests it may verify; null (a key file) for any. */
  region: string | null;
  /** Epoch milliseconds; null for an open bound. */
  validFrom: number | null;
  validTo: number | null;
}

/** A key as `ListPublicKeys` returns it (structurally what the CloudTrail adapter yields). */
export interface ListedKey {
  region: string;
  der: Uint8Array;
  validFrom: number | null;
  validTo: number | null;
}

export function fileKey(key: KeyObject, origin: string): TrailKey {
  return { key, fingerprint: keyFingerprint(key), origin, region: null, validFrom: null, validTo: null };
}

/** Throws when the bytes are not a DER (PKCS#1) RSA public key. */
export function listedKey(listed: ListedKey): TrailKey {
  const key = loadPublicKey(Buffer.from(listed.der));
  return {
    key,
    fingerprint: keyFingerprint(key),
    origin: `ListPublicKeys ${listed.region}`,
    region: listed.region,
    validFrom: listed.validFrom,
    validTo: listed.validTo,
  };
}

/** Whether the key was valid at `at` (epoch ms); a time that could not be read is covered by no window. */
export function isValidAt(key: TrailKey, at: number): boolean {
  if (key.validFrom === null && key.validTo === null) return true;
  return (key.validFrom === null || key.validFrom <= at) && (key.validTo === null || at <= key.validTo);
}

const iso = (ms: number | null): string => (ms === null ? 'open' : new Date(ms).toISOString());

export function describeValidity(key: TrailKey): string {
  return `${iso(key.validFrom)} to ${iso(key.validTo)}`;
}

/** The region of a digest: the key segment after `CloudTrail-Digest/`. */
export function digestRegion(key: string): string | null {
  const match = /(?:^|\/)CloudTrail-Digest\/([^/]+)\//.exec(key.replaceAll('\\', '/'));
  return match?.[1] ?? null;
}

export interface KeyRequest {
  region: string;
  /** The period of the region's digests, epoch milliseconds. */
  start: number;
  end: number;
}

/**
 * The regions whose keys must be listed: those with a digest whose fingerprint no given key (for any region
 * or that one) has, each over the period of all its digests. Digests without a readable time add no period.
 */
export function planKeyRequests(digests: readonly Digest[], given: readonly TrailKey[]): KeyRequest[] {
  const periods = new Map<string, { start: number; end: number; isNeeded: boolean }>();
  for (const d of digests) {
    const region = digestRegion(d.key);
    if (region === null) continue;
    const period = periods.get(region) ?? { start: Infinity, end: -Infinity, isNeeded: false };
    const start = Date.parse(d.digestStartTime);
    const end = Date.parse(d.digestEndTime);
    if (!Number.isNaN(start)) period.start = Math.min(period.start, start);
    if (!Number.isNaN(end)) period.end = Math.max(period.end, end);
    const isGiven = given.some(
      (k) => k.fingerprint === d.publicKeyFingerprint && (k.region === null || k.region === region),
    );
    if (d.publicKeyFingerprint !== null && !isGiven) period.isNeeded = true;
    periods.set(region, period);
  }
  return [...periods]
    .filter(([, p]) => p.isNeeded && p.start <= p.end)
    .map(([region, p]) => ({ region, start: p.start, end: p.end }))
    .sort((a, b) => a.region.localeCompare(b.region));
}
