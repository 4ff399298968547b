// Durations in rules: 30s, 10m, 1h, 7d, 1w.
const UNITS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

export function parseDuration(text: unknown): number | null {
  if (typeof text === 'number' && Number.isFinite(text) && text >= 0) return text * 1000;
  if (typeof text !== 'string') return null;
  const m = /^(\d+)\s*([smhdw])$/.exec(text.trim());
  return m ? Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1e3) : null;
}
