// STS expirations come as ISO 8601 or as a US locale string such as "Jul 18, 2014 4:07:39 PM" (UTC).
import type { Json } from '../domain/json.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LOCALE = /^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)$/i;

export function parseExpiration(value: Json | undefined): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value !== 'string') return null;
  const m = LOCALE.exec(value.trim());
  if (m) {
    const month = MONTHS.indexOf((m[1] ?? '').toLowerCase());
    if (month < 0) return null;
    let hour = Number(m[4]) % 12;
    if ((m[7] ?? '').toUpperCase() === 'PM') hour += 12;
    return Date.UTC(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]));
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}
