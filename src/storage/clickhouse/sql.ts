// The one way values reach ClickHouse SQL: 18.16 has no server-side parameters, so every literal is
// escaped here, on the client, and nowhere else.

/**
 * A point in time compared with a `DateTime('UTC')` column (second precision; milliseconds are kept
 * apart). Written as `toDateTime('…', 'UTC')`: 18.16's index analysis fails on a bare string literal.
 */
export interface SqlDateTime {
  readonly dateTimeMs: number;
}

export type SqlValue =
  string | number | bigint | boolean | null | undefined | Uint8Array | SqlDateTime | readonly SqlValue[];

/** A value to compare with a `DateTime('UTC')` column. */
export function dateTime(ms: number): SqlDateTime {
  return { dateTimeMs: ms };
}

const HEX = Array.from({ length: 256 }, (_, i) => `\\x${i.toString(16).padStart(2, '0').toUpperCase()}`);

/** Bytes as a quoted literal: printable ASCII is kept, `'` and `\` escaped, every other byte `\xHH`. */
function quoteBytes(bytes: Uint8Array): string {
  let out = "'";
  for (const b of bytes) {
    if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += HEX[b] as string;
    else out += String.fromCharCode(b);
  }
  return `${out}'`;
}

// eslint-disable-next-line no-control-regex -- control characters are what must be escaped
const SPECIAL = /[\\'\x00-\x1f\x7f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeChar(ch: string): string {
  if (ch === "'") return "\\'";
  if (ch === '\\') return '\\\\';
  const c = ch.charCodeAt(0);
  return c < 0x20 || c === 0x7f ? (HEX[c] as string) : '\uFFFD';
}

/** Text as a quoted literal. Lone UTF-16 surrogates (not encodable in UTF-8) become U+FFFD. */
function quoteText(text: string): string {
  return `'${text.replace(SPECIAL, escapeChar)}'`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) throw new TypeError(`not a valid time for SQL: ${ms}`);
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const year = d.getUTCFullYear();
  // DateTime holds 1970..2105; a time outside it would wrap around silently.
  if (year < 1970 || year > 2105)
    throw new RangeError(`time out of DateTime range (1970-2105): ${d.toISOString()}`);
  const date = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `toDateTime('${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}', 'UTC')`;
}

/** One value as a ClickHouse SQL literal. Throws on values SQL cannot hold exactly (NaN, Infinity). */
export function sqlValue(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return quoteText(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a finite number for SQL: ${value}`);
    return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? BigInt(value).toString() : String(value);
  }
  if (value instanceof Uint8Array) return quoteBytes(value);
  if (Array.isArray(value)) return `[${(value as readonly SqlValue[]).map(sqlValue).join(', ')}]`;
  if (typeof value === 'object' && 'dateTimeMs' in value) return formatDateTime(value.dateTimeMs);
  throw new TypeError(`unsupported SQL value: ${typeof value}`);
}

/** Items in slices of at most `size`, for `IN` lists that stay well under the query size limit. */
export function chunks<T>(items: readonly T[], size = 2000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `(v1, v2, …)` for `IN`; callers skip the condition when the list is empty (`IN ()` is an error). */
export function sqlList(values: readonly SqlValue[]): string {
  if (!values.length) throw new RangeError('an empty list has no SQL form');
  return `(${values.map(sqlValue).join(', ')})`;
}
