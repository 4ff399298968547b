// Writes a demo trail to disk in the S3 layout, gzipped, so any directory source can ingest it.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serializeDigest, serializeLogFile } from './serialize.js';
import type { DemoTrail } from './types.js';

async function writeObject(dir: string, key: string, text: string): Promise<void> {
  const path = join(dir, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, gzipSync(text));
}

/** Writes every log and digest file under `dir/<key>`; `files` counts both, `records` the log records. */
export async function writeDemoTrail(
  trail: DemoTrail,
  dir: string,
): Promise<{ files: number; records: number }> {
  let records = 0;
  for (const file of trail.files) {
    await writeObject(dir, file.key, serializeLogFile(file.records));
    records += file.records.length;
  }
  for (const digest of trail.digests) await writeObject(dir, digest.key, serializeDigest(digest.digest));
  return { files: trail.files.length + trail.digests.length, records };
}
