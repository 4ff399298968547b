// The exact bytes (before gzip) of log and digest files: digests hash these, the writer writes these.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../domain/json.js';

export const serializeLogFile = (records: readonly JsonObject[]): string =>
  JSON.stringify({ Records: records });

export const serializeDigest = (digest: JsonObject): string => JSON.stringify(digest);

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
