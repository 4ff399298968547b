// A run killed half-way (SIGKILL, no cleanup) and restarted ends with every event stored exactly once.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import { record } from '../helpers/records.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'trailwatch');
const dir = mkdtempSync(path.join(tmpdir(), 'tw-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILES = 80;
const PER_FILE = 500;

function run(
  args: string[],
  killWhen?: () => boolean,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = killWhen
      ? setInterval(() => {
          if (killWhen()) child.kill('SIGKILL');
        }, 5)
      : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, out });
    });
  });
}

it('restarts after SIGKILL mid-ingest with every event stored exactly once', async () => {
  expect(existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')), 'build first: npm run build').toBe(true);
  const logs = path.join(dir, 'logs');
  mkdirSync(logs);
  for (let f = 0; f < FILES; f++) {
    const records = Array.from({ length: PER_FILE }, (_, i) =>
      record({ eventID: `f${f}-r${i}`, requestID: randomBytes(16).toString('hex') }),
    );
    writeFileSync(
      path.join(logs, `file-${String(f).padStart(3, '0')}.json.gz`),
      gzipSync(JSON.stringify({ Records: records })),
    );
  }
  const db = path.join(dir, 'crash.duckdb');
  const wal = `${db}.wal`;
  // Storage crash-safety; detection's own restart-safety is tested in detection.test.ts.
  const args = [
    'ingest',
    logs,
    '--db',
    db,
    '--batch-size',
    String(PER_FILE),
    '--concurrency',
    '2',
    '--no-rules',
  ];
  // Kill once some batches are committed (the write-ahead log holds more than the schema) but
  // well before the end.
  const killed = await run(args, () => existsSync(wal) && statSync(wal).size > 1_000_000);
  expect(killed.signal, `the first run finished before it could be killed:\n${killed.out}`).toBe('SIGKILL');
  expect(killed.out).not.toContain('events stored');

  const restarted = await run(args);
  expect(restarted.code, restarted.out).toBe(0);
  const skipped = Number(/(\d+) already stored/.exec(restarted.out)?.[1]);
  expect(skipped).toBeGreaterThan(0);
  expect(skipped).toBeLessThan(FILES);

  const store = await openDuckDbStore(db);
  try {
    expect((await store.stats()).events).toBe(FILES * PER_FILE);
    expect((await store.stats()).objects).toBe(FILES);
    const sample = await store.searchEvents({ eventIds: ['f0-r0', `f${FILES - 1}-r${PER_FILE - 1}`] });
    expect(sample).toHaveLength(2);
  } finally {
    await store.close();
  }
});
