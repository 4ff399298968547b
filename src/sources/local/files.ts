// Local source: files, directories (recursive), glob patterns, and `-` for standard input.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { keyMatchesFilter } from '../key-layout.js';
import { SourceError, type ListingFilter, type Source, type SourceObject } from '../port.js';
import { byCodeUnit, inDeliveryOrder, isRegionFolder, mergeByDelivery } from '../delivery-order.js';

/** In a directory walk, only files that can hold CloudTrail data are taken; named files always are. */
const DATA_FILE = /\.(json|jsonl|ndjson|gz|log|txt)$/i;
const GLOB_CHARS = /[*?[\]{}]/;

async function fileObject(file: string): Promise<SourceObject> {
  const abs = path.resolve(file);
  const st = await stat(abs);
  const key = abs.split(path.sep).join('/');
  return {
    identity: `file://${key}#${st.size}:${Math.floor(st.mtimeMs)}`,
    uri: abs,
    key,
    size: st.size,
    read: () => readFile(abs),
  };
}

/**
 * Files under `dir` in path order. Region folders of the CloudTrail layout are not entered but put in
 * `regions` when it is given: the caller reads them merged in time order.
 */
async function* walk(dir: string, regions?: string[]): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => byCodeUnit(a.name, b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && regions && isRegionFolder(full)) regions.push(full);
    else if (entry.isDirectory()) yield* walk(full, regions);
    else if (entry.isFile() && DATA_FILE.test(entry.name)) yield full;
  }
}

/**
 * A directory's files: those outside the CloudTrail layout in path order, then the layout's files in
 * delivery order across accounts and regions. Sorted by path, a log folder would be read one account and
 * region at a time, each through all its days: stateful rules would see other accounts' events late,
 * and the store's time order (what lets searches skip most of it) would be lost.
 */
async function* walkInTimeOrder(dir: string): AsyncGenerator<string> {
  const regions: string[] = [];
  yield* walk(dir, regions);
  const streams = regions.map((region) => ({ least: '', open: () => walk(region) }));
  yield* mergeByDelivery(streams, (file) => file);
}

async function* expand(arg: string): AsyncGenerator<string> {
  if (GLOB_CHARS.test(arg)) {
    const matches = await glob(arg, { absolute: true, onlyFiles: true, dot: false });
    if (!matches.length) throw new SourceError(`no files match the pattern ${arg}`);
    yield* inDeliveryOrder(matches);
    return;
  }
  let st;
  try {
    st = await stat(arg);
  } catch {
    throw new SourceError(
      `no such file or directory: ${arg} (expected a file, a directory, a glob such as 'logs/**/*.json.gz', or - for stdin)`,
    );
  }
  if (st.isDirectory()) yield* walkInTimeOrder(arg);
  else yield arg;
}

export function createLocalSource(paths: readonly string[], filter: ListingFilter = {}): Source {
  return {
    async *list() {
      for (const arg of paths) {
        for await (const file of expand(arg)) {
          if (!keyMatchesFilter(file.split(path.sep).join('/'), filter)) continue;
          yield await fileObject(file);
        }
      }
    },
  };
}

/** Standard input, read whole; its identity is a hash of the content, so piping it twice stores it once. */
export function createStdinSource(input: NodeJS.ReadableStream = process.stdin): Source {
  return {
    async *list() {
      const chunks: Buffer[] = [];
      for await (const chunk of input)
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
      const bytes = Buffer.concat(chunks);
      const hash = createHash('sha256').update(bytes).digest('hex');
      yield {
        identity: `stdin:${hash}`,
        uri: '-',
        key: '-',
        size: bytes.length,
        read: () => Promise.resolve(bytes),
      };
    },
  };
}
