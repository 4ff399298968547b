// Sharing sources among workers: a stable partition by account and region, and clear refusals.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOwnedBy, partitionKey, workerOf } from '../../src/pipeline/partition.js';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (account: string, region: string, n: number): string =>
  `org/AWSLogs/o-abc123/${account}/CloudTrail/${region}/2024/05/0${(n % 9) + 1}/${account}_CloudTrail_${region}_${n}.json.gz`;

describe('worker partition', () => {
  const accounts = ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555'];
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'];
  const objects = accounts.flatMap((a) =>
    regions.flatMap((r) =>
      Array.from({ length: 5 }, (_, n) => ({ key: key(a, r, n), identity: `s3://b/${key(a, r, n)}#e${n}` })),
    ),
  );
  const loose = Array.from({ length: 20 }, (_, n) => ({
    key: `/incident/copy-${n}.json`,
    identity: `file:///incident/copy-${n}.json#1:2`,
  }));

  it('gives every object to exactly one of N workers, an account and region to one worker', () => {
    for (const count of [1, 2, 4, 7]) {
      for (const o of [...objects, ...loose]) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
          isOwnedBy(o, { index, count }),
        );
        expect(owners).toEqual([workerOf(o, count)]);
      }
      const byPrefix = new Map<string, Set<number>>();
      for (const o of objects)
        byPrefix.set(partitionKey(o), (byPrefix.get(partitionKey(o)) ?? new Set()).add(workerOf(o, count)));
      expect([...byPrefix.values()].every((w) => w.size === 1)).toBe(true);
    }
    expect(partitionKey(objects[0] as (typeof objects)[0])).toBe('org/o-abc123/111111111111/us-east-1');
    const used = new Set(objects.map((o) => workerOf(o, 4)));
    expect(used.size).toBe(4);
  });
});

describe('--workers and --worker', () => {
  it('refuses more than one writer on a DuckDB store, saying what to use instead', async () => {
    const db = path.join(dir, 'one.duckdb');
    for (const flags of [
      ['--workers', '4'],
      ['--worker', '2/3'],
    ]) {
      const r = await cli(['ingest', dir, '--db', db, ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/DuckDB allows one writer per file.*clickhouse:\/\//);
    }
  });

  it('refuses a malformed worker slice', async () => {
    for (const [flags, why] of [
      [['--worker', '0/2'], /expected I\/N with 1 ≤ I ≤ N/],
      [['--worker', '3/2'], /expected I\/N/],
      [['--worker', 'a'], /expected I\/N/],
      [['--workers', '0'], /positive whole number/],
      [['--workers', '2', '--worker', '1/2'], /not both/],
    ] as const) {
      const r = await cli(['ingest', dir, '--db', 'clickhouse://127.0.0.1:9/db', ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(why);
    }
  });
});
