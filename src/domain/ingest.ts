// Value objects of ingestion: decoded records, quarantine entries, object checkpoints and batches.
import type { CloudTrailEvent } from './event.js';
import type { MatchRow } from './alert.js';
import type { StoredCredential } from './identity.js';
import type { Json } from './json.js';

/** What a source object turned out to be. */
export type ObjectKind = 'events' | 'insights' | 'digest' | 'empty' | 'invalid';

/** A record or a whole object that could not be stored as an event, with the reason why. */
export interface QuarantineEntry {
  objectId: string;
  /** Position of the record in the object; null when the whole object is bad. */
  index: number | null;
  reason: QuarantineReason;
  detail: string;
  /** The offending record (or the start of the offending text), when there is one. */
  sample: Json;
}

export type QuarantineReason =
  | 'not-json'
  | 'not-cloudtrail'
  | 'truncated'
  | 'bad-gzip'
  | 'not-an-object'
  | 'missing-event-time'
  | 'bad-event-time'
  | 'conflicting-event-id';

/** The checkpoint of one source object: written in the same transaction as its events. */
export interface ObjectRecord {
  objectId: string;
  identity: string;
  uri: string;
  size: number;
  kind: ObjectKind;
  records: number;
  quarantined: number;
  /** The object's bytes, gzip-compressed, kept once so every raw record stays retrievable. */
  content: Uint8Array;
}

export interface IngestBatch {
  objects: ObjectRecord[];
  events: CloudTrailEvent[];
  quarantine: QuarantineEntry[];
  /** Ledger rows to insert or replace (new keys, better copies, re-resolved descendants). */
  credentials: StoredCredential[];
  /** Rule matches of the batch's events; those of duplicate events are dropped with them. */
  matches: MatchRow[];
}

export interface AppendResult {
  stored: number;
  /** Re-delivered copies of stored events, skipped. */
  duplicates: number;
  /** Records reusing a stored event's id with other content: quarantined with that reason. */
  conflicts: number;
}
