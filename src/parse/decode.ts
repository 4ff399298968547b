// Decode: turns the bytes of one source object into candidate CloudTrail records, whatever their shape.
import { constants, gunzipSync } from 'node:zlib';
import { isJsonObject, type Json, type JsonObject } from '../domain/json.js';
import type { ObjectKind, QuarantineReason } from '../domain/ingest.js';
import {
  isCloudTrailRecord,
  isCloudWatchLogsPayload,
  isDigest,
  isLookupEventsPage,
  unwrapRecord,
} from './records.js';
import { salvageRecords } from './salvage.js';

export interface DecodedRecord {
  index: number;
  record: JsonObject;
}

export interface DecodeProblem {
  index: number | null;
  reason: QuarantineReason;
  detail: string;
  sample: Json;
}

export interface Decoded {
  kind: ObjectKind;
  records: DecodedRecord[];
  problems: DecodeProblem[];
}

const SAMPLE_CHARS = 2000;

/** The start of a text, for a quarantine entry. */
export function sampleOf(text: string): string {
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips, keeping what a truncated or corrupt stream still yields. */
function gunzipLenient(bytes: Uint8Array): { text: string; error: string | null } {
  try {
    return { text: gunzipSync(bytes).toString('utf8'), error: null };
  } catch (err) {
    let partial = '';
    try {
      partial = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      // corrupt beyond what a sync flush recovers: nothing to keep
    }
    return { text: partial, error: (err as Error).message };
  }
}

/** The CloudTrail record a candidate value is or wraps (an EventBridge or other envelope); null if none. */
function recordOf(value: Json): JsonObject | null {
  if (isCloudTrailRecord(value)) return value;
  return isJsonObject(value) ? unwrapRecord(value) : null;
}

/** A collector of records and problems; indices number every candidate record in order. */
class Collector {
  readonly records: DecodedRecord[] = [];
  readonly problems: DecodeProblem[] = [];
  next = 0;
  isDigest = false;

  add(value: Json): void {
    const index = this.next++;
    const record = recordOf(value);
    if (record) this.records.push({ index, record });
    else if (!isJsonObject(value))
      this.problem(index, 'not-an-object', `expected a JSON object, found ${jsonType(value)}`, value);
    else this.problem(index, 'not-cloudtrail', `not a CloudTrail record (keys: ${keysOf(value)})`, value);
  }

  problem(index: number | null, reason: QuarantineReason, detail: string, sample: Json): void {
    this.problems.push({ index, reason, detail, sample });
  }
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function keysOf(value: JsonObject): string {
  const keys = Object.keys(value);
  return keys.length === 0 ? 'none' : keys.slice(0, 8).join(', ') + (keys.length > 8 ? ', …' : '');
}

/** One parsed JSON value: a delivery file, digest, CloudWatch payload, array, envelope or record. */
function addValue(out: Collector, value: Json): void {
  if (Array.isArray(value)) {
    for (const item of value) addValue(out, item);
    return;
  }
  if (isJsonObject(value)) {
    if (Array.isArray(value.Records)) {
      for (const item of value.Records) out.add(item);
      return;
    }
    if (isDigest(value)) {
      out.isDigest = true;
      return;
    }
    if (isCloudWatchLogsPayload(value)) {
      addLogEvents(out, value.logEvents as Json[]);
      return;
    }
    if (isLookupEventsPage(value)) {
      addLookupEvents(out, value.Events as Json[]);
      return;
    }
  }
  out.add(value);
}

function addLogEvents(out: Collector, logEvents: Json[]): void {
  for (const logEvent of logEvents) {
    const message = isJsonObject(logEvent) ? logEvent.message : undefined;
    if (typeof message !== 'string') {
      out.add(logEvent);
      continue;
    }
    try {
      out.add(JSON.parse(message) as Json);
    } catch {
      out.problem(out.next++, 'not-json', 'CloudWatch Logs message is not JSON', sampleOf(message));
    }
  }
}

/** Each `CloudTrailEvent` string of a LookupEvents page is a record; one that is not JSON is quarantined. */
function addLookupEvents(out: Collector, events: Json[]): void {
  for (const item of events) {
    const text = isJsonObject(item) ? item.CloudTrailEvent : undefined;
    if (typeof text !== 'string') {
      out.add(item);
      continue;
    }
    try {
      out.add(JSON.parse(text) as Json);
    } catch (err) {
      const id = isJsonObject(item) && typeof item.EventId === 'string' ? ` of event ${item.EventId}` : '';
      out.problem(
        out.next++,
        'not-json',
        `LookupEvents CloudTrailEvent${id} is not JSON: ${(err as Error).message}`,
        sampleOf(text),
      );
    }
  }
}

const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

function decodeText(out: Collector, text: string, truncatedGzip: boolean): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trim();
  if (trimmed === '') return;
  const first = trimmed[0];
  if (first === '{' || first === '[') {
    try {
      addValue(out, JSON.parse(trimmed) as Json);
      return;
    } catch (err) {
      if (looksLikeJsonLines(trimmed)) decodeLines(out, trimmed);
      else decodeBroken(out, trimmed, truncatedGzip, (err as Error).message);
      return;
    }
  }
  if (BASE64.test(trimmed.slice(0, 4096)) && trimmed.length % 4 === 0) {
    // CloudWatch Logs subscription data as delivered to Kinesis/Firehose/Lambda: base64 of gzip.
    const bytes = Buffer.from(trimmed, 'base64');
    if (isGzip(bytes)) {
      const { text: inner, error } = gunzipLenient(bytes);
      if (error) out.problem(null, 'bad-gzip', `base64 payload: ${error}`, sampleOf(trimmed));
      decodeText(out, inner, error !== null);
      return;
    }
  }
  out.problem(
    null,
    'not-json',
    'not JSON: expected a CloudTrail file, JSON lines or a JSON record',
    sampleOf(body),
  );
}

function looksLikeJsonLines(text: string): boolean {
  const nl = text.indexOf('\n');
  if (nl < 0) return false;
  try {
    JSON.parse(text.slice(0, nl));
    return true;
  } catch {
    return false;
  }
}

function decodeLines(out: Collector, text: string): void {
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    let value: Json;
    try {
      value = JSON.parse(trimmed) as Json;
    } catch (err) {
      out.problem(out.next++, 'not-json', `line ${lineNo}: ${(err as Error).message}`, sampleOf(trimmed));
      continue;
    }
    addValue(out, value);
  }
}

function decodeBroken(out: Collector, text: string, truncatedGzip: boolean, parseError: string): void {
  const salvage = salvageRecords(text);
  if (!salvage) {
    const reason = truncatedGzip ? 'truncated' : 'not-json';
    out.problem(null, reason, `invalid JSON: ${parseError}`, sampleOf(text));
    return;
  }
  for (const record of salvage.records) out.add(record);
  const lost = salvage.broken > 0 ? `, ${salvage.broken} damaged` : '';
  out.problem(
    null,
    'truncated',
    `file ends early (${parseError}); ${salvage.records.length} complete records recovered${lost}`,
    sampleOf(text.slice(-SAMPLE_CHARS)),
  );
}

/** Decodes one object. `key` is its path or S3 key, used to recognise digest and Insights folders. */
export function decodeObject(bytes: Uint8Array, key: string): Decoded {
  const out = new Collector();
  let text: string;
  let truncatedGzip = false;
  if (isGzip(bytes)) {
    const { text: inner, error } = gunzipLenient(bytes);
    if (error) {
      truncatedGzip = true;
      if (inner === '') {
        out.problem(null, 'bad-gzip', `gzip: ${error}`, null);
        return { kind: 'invalid', records: [], problems: out.problems };
      }
    }
    text = inner;
  } else {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  decodeText(out, text, truncatedGzip);
  if (truncatedGzip && !out.problems.some((p) => p.reason === 'truncated'))
    out.problem(null, 'truncated', 'gzip stream ends early; every complete record was kept', null);
  return { kind: kindOf(out, key), records: out.records, problems: out.problems };
}

function kindOf(out: Collector, key: string): ObjectKind {
  if (out.isDigest || (key.includes('CloudTrail-Digest/') && out.records.length === 0)) return 'digest';
  if (out.records.length === 0) return out.problems.length > 0 ? 'invalid' : 'empty';
  const insights = out.records.every((r) => r.record.eventType === 'AwsCloudTrailInsight');
  return insights ? 'insights' : 'events';
}

/** The start of a delivery file: `{"Records":[`, whitespace allowed between (after a BOM). */
const DELIVERY_START = /\s*\{\s*"Records"\s*:\s*\[/y;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The records at `indexes` of a delivery file (`{"Records":[…]}`, gzip or not), numbered as
 * decodeObject numbers them, found by scanning the text for the array's elements and parsing only
 * the wanted ones: reading back a few events of a file used to parse all of its ~1,000 records
 * (3.3 ms of a 5.7 ms decode; the scan takes ~1-1.5 ms and stops at the last one wanted).
 * Null when the object is anything else or the scan meets what it does not expect (a damaged or
 * truncated file, a value other than an object or array in the list, a wanted element that is not
 * JSON): the caller then decodes it whole. A scan cannot tell a file that JSON.parse would reject,
 * whose records decodeObject salvages, so callers check what they get (pipeline/raw.ts).
 */
export function recordsAtIndexes(
  bytes: Uint8Array,
  indexes: ReadonlySet<number>,
): Map<number, JsonObject> | null {
  let text: string;
  try {
    const raw = isGzip(bytes)
      ? gunzipSync(bytes)
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    text = raw.toString('utf8');
  } catch {
    return null;
  }
  DELIVERY_START.lastIndex = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (!DELIVERY_START.test(text)) return null;
  const found = new Map<number, JsonObject>();
  let left = indexes.size;
  let ordinal = 0;
  let depth = 0;
  let start = 0;
  for (let i = DELIVERY_START.lastIndex; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (depth === 0) return null;
      // To the closing quote: the next one not escaped by an odd run of backslashes.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return null;
        let b = q - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return c === CLOSE_BRACKET ? found : null;
      if (--depth > 0) continue;
      if (indexes.has(ordinal)) {
        let value: Json;
        try {
          value = JSON.parse(text.slice(start, i + 1)) as Json;
        } catch {
          return null;
        }
        const record = recordOf(value);
        if (record) found.set(ordinal, record);
        if (--left === 0) return found;
      }
      ordinal++;
    } else if (depth === 0 && c !== COMMA && !isSpace(c)) return null;
  }
  return null;
}
