import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { writeDemoTrail } from '../../src/demo/write.js';
import { END, recordsOf } from './helpers.js';

const trail = generateDemoTrail({ end: END, days: 1 });
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trailwatch-demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readGzipJson = async (key: string): Promise<unknown> =>
  JSON.parse(gunzipSync(await readFile(join(dir, ...key.split('/')))).toString('utf8'));

describe('writeDemoTrail', () => {
  it('writes gzipped files that parse back to the same records and digests', async () => {
    const written = await writeDemoTrail(trail, dir);
    expect(written).toEqual({
      files: trail.files.length + trail.digests.length,
      records: recordsOf(trail).length,
    });
    for (const file of trail.files) expect(await readGzipJson(file.key)).toEqual({ Records: file.records });
    for (const digest of trail.digests) expect(await readGzipJson(digest.key)).toEqual(digest.digest);
  });
});
