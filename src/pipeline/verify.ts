// The verify use case: read a trail's log files and digests from a source and check them.
import { gunzipSync } from 'node:zlib';
import { parseDigest, sha256Hex, type Digest } from '../integrity/digest.js';
import { listedKey, planKeyRequests, type ListedKey, type TrailKey } from '../integrity/keys.js';
import { layoutPath, verifyTrail, type IntegrityReport } from '../integrity/verify.js';
import { isGzip } from '../parse/decode.js';
import type { Source } from '../sources/port.js';
import type { PipelineMetrics } from './metrics.js';

export interface VerifyInput {
  source: Source;
  /** Keys given by the user (files): used for any region, with no validity window. */
  keys: readonly TrailKey[];
  /**
   * Lists a region's keys for a period (CloudTrail's ListPublicKeys), asked only for regions with digests
   * no given key verifies. Absent offline.
   */
  listKeys?: (region: string, start: number, end: number) => Promise<readonly ListedKey[]>;
  /**
   * The hex signature of a digest when its object has no metadata to carry one (a local copy: a
   * `.signature` file beside it). S3 objects carry it as `x-amz-meta-signature`.
   */
  signatureOf?: (key: string) => Promise<string | null>;
  /** Counts every problem found (for /metrics in a long-running process). */
  metrics?: PipelineMetrics;
}

export interface KeysListed {
  region: string;
  start: string;
  end: string;
  keys: number;
}

export type VerifyReport = IntegrityReport & { unreadable: string[]; keysListed: KeysListed[] };

export async function verifySource(input: VerifyInput): Promise<VerifyReport> {
  const digests: Digest[] = [];
  const logFiles = new Map<string, string>();
  const unreadable: string[] = [];
  for await (const o of input.source.list()) {
    const isDigest = o.key.includes('/CloudTrail-Digest/');
    if (!isDigest && !o.key.includes('/CloudTrail/')) continue;
    let text: Buffer;
    try {
      const bytes = await o.read();
      text = isGzip(bytes) ? gunzipSync(bytes) : bytes;
    } catch (err) {
      unreadable.push(`${o.uri}: ${(err as Error).message}`);
      continue;
    }
    if (isDigest) {
      let metadata: Record<string, string> = {};
      try {
        metadata = (await o.metadata?.()) ?? {};
      } catch (err) {
        unreadable.push(`${o.uri}: ${(err as Error).message}`);
        continue;
      }
      const signature = metadata.signature ?? (await input.signatureOf?.(o.key)) ?? null;
      const d = parseDigest(text.toString('utf8'), o.key, signature, metadata['signature-algorithm'] ?? null);
      if (d) digests.push(d);
      else unreadable.push(`${o.uri}: not a digest file`);
    } else logFiles.set(layoutPath(o.key), sha256Hex(text));
  }
  const keys = [...input.keys];
  const keysListed: KeysListed[] = [];
  const listedRegions = new Set<string>();
  if (input.listKeys)
    for (const request of planKeyRequests(digests, input.keys)) {
      const listed = await input.listKeys(request.region, request.start, request.end);
      for (const k of listed) {
        try {
          keys.push(listedKey(k));
        } catch (err) {
          unreadable.push(`a key ListPublicKeys returned for ${k.region}: ${(err as Error).message}`);
        }
      }
      listedRegions.add(request.region);
      keysListed.push({
        region: request.region,
        start: new Date(request.start).toISOString(),
        end: new Date(request.end).toISOString(),
        keys: listed.length,
      });
    }
  const report = verifyTrail(digests, logFiles, keys, listedRegions);
  for (const p of report.problems) input.metrics?.digestFailures.inc({ kind: p.kind });
  input.metrics?.digestFailures.inc({ kind: 'unreadable' }, unreadable.length);
  return { ...report, unreadable, keysListed };
}
