// Event time parsing: ISO 8601 and the other forms CloudTrail data turns up in.
const SPACE_FORM = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const BASIC_FORM = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface ParsedTime {
  ms: number;
  /** True when the input was not the canonical `YYYY-MM-DDTHH:MM:SSZ` form. */
  isReformatted: boolean;
}

/**
 * Parses an event time: ISO 8601 (extended or basic), `2026-01-11 22:54:56.000000000` (no zone:
 * UTC, digits past milliseconds dropped), or epoch seconds/milliseconds as a number. Null if none fits.
 */
export function parseEventTime(value: unknown): ParsedTime | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Epoch seconds until the year 5138, milliseconds above that.
    return { ms: value < 1e11 ? Math.round(value * 1000) : Math.round(value), isReformatted: true };
  }
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s)) return finite(Date.parse(s), false);
  const m = SPACE_FORM.exec(s);
  if (m) {
    const frac = m[3] ? m[3].slice(0, 4) : '';
    const zone = m[4] ?? 'Z';
    return finite(Date.parse(`${m[1]}T${m[2]}${frac}${zone}`), true);
  }
  const b = BASIC_FORM.exec(s);
  if (b) return finite(Date.parse(`${b[1]}-${b[2]}-${b[3]}T${b[4]}:${b[5]}:${b[6]}Z`), true);
  return null;
}

function finite(ms: number, isReformatted: boolean): ParsedTime | null {
  return Number.isFinite(ms) ? { ms, isReformatted } : null;
}

/** Parses a time given on the command line: ISO date/time, or a duration back from `now` (30m, 2h, 7d, 1w). */
export function parseTimeArg(value: string, now: number): number | null {
  const rel = /^(\d+)\s*(s|m|min|h|d|w)$/i.exec(value.trim());
  if (rel) {
    const n = Number(rel[1]);
    const unit = (rel[2] ?? 's').toLowerCase();
    const scale: Record<string, number> = { s: 1e3, m: 6e4, min: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
    return now - n * (scale[unit] ?? 1e3);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`);
  const parsed = parseEventTime(value);
  if (parsed) return parsed.ms;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
