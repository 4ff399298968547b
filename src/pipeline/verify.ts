// The verify use case: read a trail's log files and digests from a source and check them.
import type { KeyObject } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { parseDigest, sha256Hex, type Digest } from '../integrity/digest.js';
import { layoutPath, verifyTrail, type IntegrityReport } from '../integrity/verify.js';
import { isGzip } from '../parse/decode.js';
import type { Source } from '../sources/port.js';
import type { PipelineMetrics } from './metrics.js';

export interface VerifyInput {
  source: Source;
  keys: readonly KeyObject[];
  /**
   * The hex signature of a digest when its object has no metadata to carry one (a local copy: a
   * `.signature` file beside it). S3 objects carry it as `x-amz-meta-signature`.
   */
  signatureOf?: (key: string) => Promise<string | null>;
  /** Counts every problem found (for /metrics in a long-running process). */
  metrics?: PipelineMetrics;
}

export async function verifySource(input: VerifyInput): Promise<IntegrityReport & { unreadable: string[] }> {
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
  const report = verifyTrail(digests, logFiles, input.keys);
  for (const p of report.problems) input.metrics?.digestFailures.inc({ kind: p.kind });
  input.metrics?.digestFailures.inc({ kind: 'unreadable' }, unreadable.length);
  return { ...report, unreadable };
}
