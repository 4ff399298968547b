// Digest verification counts what it finds in the process's metrics, by problem kind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { formatExposition } from '../../src/metrics/exposition.js';
import { createPipelineMetrics } from '../../src/pipeline/metrics.js';
import { verifySource } from '../../src/pipeline/verify.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import { parseExposition, sampleValue } from '../helpers/exposition.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-verify-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('counts an unlisted log file and an unreadable digest', async () => {
  const base = path.join(dir, 'AWSLogs/111122223333');
  const log = path.join(
    base,
    'CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T0105Z_a.json.gz',
  );
  const digest = path.join(
    base,
    'CloudTrail-Digest/us-east-1/2024/05/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T010000Z.json.gz',
  );
  for (const f of [log, digest]) mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(log, gzipSync(JSON.stringify({ Records: [] })));
  writeFileSync(digest, gzipSync('not a digest'));
  const metrics = createPipelineMetrics();
  const report = await verifySource({
    source: createLocalSource([dir]),
    keys: [],
    signatureOf: () => Promise.resolve(null),
    metrics,
  });
  expect(report.problems.map((p) => p.kind)).toEqual(['unlisted']);
  expect(report.unreadable).toHaveLength(1);
  const p = parseExposition(formatExposition(metrics.registry.families()));
  const failures = (kind: string) =>
    sampleValue(p, 'trailwatch_digest_verification_failures_total', { kind });
  expect(failures('unlisted')).toBe(1);
  expect(failures('unreadable')).toBe(1);
  expect(failures('modified')).toBe(0);
});
