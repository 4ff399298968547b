// JSONL sink: appends one JSON line per notification to a file; consumers dedupe retries by `id`.
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { resolveDeps, type SinkDeps } from './deps.js';
import { notificationJson } from './payload.js';
import { SinkError, type Notification, type Sink } from './port.js';

export interface JsonlDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'jsonl';
  /** The file to append to; missing directories are created. */
  path: string;
}

/** Failures that retrying cannot fix: permissions, a read-only disk, a directory where the file should be. */
const PERMANENT = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'EISDIR',
  'ENOTDIR',
  'EEXIST',
  'ENAMETOOLONG',
  'ELOOP',
]);

export function createJsonlSink(config: JsonlDestination, deps: SinkDeps = {}): Sink {
  const { now } = resolveDeps(deps);
  let ready: Promise<unknown> | null = null;
  return {
    name: config.name,
    type: 'jsonl',
    async send(notification: Notification) {
      const line = `${JSON.stringify(notificationJson(notification, now()))}\n`;
      try {
        ready ??= mkdir(path.dirname(config.path), { recursive: true });
        await ready;
        // One write with O_APPEND: concurrent writers of small lines do not interleave within a line.
        await appendFile(config.path, line, { encoding: 'utf8', flag: 'a' });
      } catch (error) {
        ready = null;
        const code = (error as { code?: unknown }).code;
        throw new SinkError(
          `Cannot append to ${config.path} (JSONL "${config.name}"): ${(error as Error).message}`,
          !(typeof code === 'string' && PERMANENT.has(code)),
        );
      }
    },
  };
}
