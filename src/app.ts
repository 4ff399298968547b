// Composition root: turns configuration into concrete adapters. The only place that picks implementations.
import path from 'node:path';
import { createLocalSource, createStdinSource } from './sources/local/files.js';
import type { ListingFilter, Source } from './sources/port.js';
import { createS3Client, createS3Source } from './sources/s3/index.js';
import { openDuckDbStore } from './storage/duckdb/store.js';
import type { Store } from './storage/port.js';

export const DEFAULT_DB = 'trailwatch.duckdb';

/** The store path: `--db`, else `TRAILWATCH_DB`, else `./trailwatch.duckdb`. */
export function resolveDbPath(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): string {
  return path.resolve(cwd, flag ?? env.TRAILWATCH_DB ?? DEFAULT_DB);
}

export function openStore(dbPath: string): Promise<Store> {
  return openDuckDbStore(dbPath);
}

export interface SourceOptions {
  filter: ListingFilter;
  aws: { profile?: string; region?: string; endpointUrl?: string };
  stdin: NodeJS.ReadableStream;
}

/** One source per argument: `s3://…` is S3, `-` is standard input, anything else is local paths. */
export function createSources(args: readonly string[], options: SourceOptions): Source[] {
  const sources: Source[] = [];
  const local: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('s3://')) {
      const client = createS3Client(options.aws);
      sources.push(createS3Source({ client, url: arg, filter: options.filter }));
    } else if (arg === '-') {
      sources.push(createStdinSource(options.stdin));
    } else {
      local.push(arg);
    }
  }
  if (local.length) sources.push(createLocalSource(local, options.filter));
  return sources;
}
