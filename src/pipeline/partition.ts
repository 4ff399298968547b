// Sharing sources among workers: each object belongs to exactly one of N workers, chosen by a
// stable hash of its account/region prefix, so every worker lists the same sources and reads its part.
import { createHash } from 'node:crypto';
import { parseKeyLayout } from '../sources/key-layout.js';
import type { SourceObject } from '../sources/port.js';

/** Worker `index` (0-based) of `count`. */
export interface WorkerSlice {
  index: number;
  count: number;
}

/**
 * What decides an object's worker: the trail prefix, account and region when its key follows the
 * CloudTrail layout (a worker keeps an account's region to itself), else the object itself.
 */
export function partitionKey(o: Pick<SourceObject, 'key' | 'identity'>): string {
  const layout = parseKeyLayout(o.key);
  return layout ? `${layout.prefix}${layout.orgId ?? ''}/${layout.account}/${layout.region}` : o.identity;
}

export function workerOf(o: Pick<SourceObject, 'key' | 'identity'>, count: number): number {
  const digest = createHash('sha256').update(partitionKey(o)).digest();
  return digest.readUInt32BE(0) % count;
}

export function isOwnedBy(o: Pick<SourceObject, 'key' | 'identity'>, slice: WorkerSlice): boolean {
  return slice.count <= 1 || workerOf(o, slice.count) === slice.index;
}
