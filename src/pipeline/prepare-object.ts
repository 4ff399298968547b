// Plans what one source object contributes to the store: events, quarantine entries, its checkpoint.
import { createHash } from 'node:crypto';
import { constants, gzipSync } from 'node:zlib';
import type { CloudTrailEvent } from '../domain/event.js';
import type { ObjectRecord, QuarantineEntry } from '../domain/ingest.js';
import type { JsonObject } from '../domain/json.js';
import { canonicalKeys } from '../parse/canonical-keys.js';
import { decodeObject, isGzip } from '../parse/decode.js';
import { normalizeRecord } from '../parse/normalize.js';
import { parseKeyLayout } from '../sources/key-layout.js';
import type { SourceObject } from '../sources/port.js';

export interface PreparedObject {
  object: ObjectRecord;
  events: CloudTrailEvent[];
  /** The raw record of each event (same order), with CloudTrail's key spelling, for rule matching. */
  records: JsonObject[];
  quarantine: QuarantineEntry[];
}

/** A short, stable id for an object identity, used to point events at their source object. */
export function objectIdOf(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 24);
}

export function prepareObject(
  source: Pick<SourceObject, 'identity' | 'uri' | 'key'>,
  bytes: Buffer,
): PreparedObject {
  const objectId = objectIdOf(source.identity);
  const decoded = decodeObject(bytes, source.key);
  const keyAccount = parseKeyLayout(source.key)?.account ?? null;
  const events: CloudTrailEvent[] = [];
  const records: JsonObject[] = [];
  const quarantine: QuarantineEntry[] = decoded.problems.map((p) => ({ objectId, ...p }));
  for (const { index, record } of decoded.records) {
    const result = normalizeRecord(record, { objectId, index, keyAccount });
    if (result.ok) {
      events.push(result.event);
      records.push(canonicalKeys(record));
    } else quarantine.push({ objectId, index, reason: result.reason, detail: result.detail, sample: record });
  }
  const content = isGzip(bytes) ? bytes : gzipSync(bytes, { level: constants.Z_BEST_SPEED });
  return {
    object: {
      objectId,
      identity: source.identity,
      uri: source.uri,
      size: bytes.length,
      kind: decoded.kind,
      records: decoded.records.length + decoded.problems.filter((p) => p.index !== null).length,
      quarantined: quarantine.length,
      content,
    },
    events,
    records,
    quarantine,
  };
}
