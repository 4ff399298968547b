// Output for people (tables) and programs (jsonl, csv safe against formula injection).
import type { StoredEvent } from '../domain/event.js';

/** Spreadsheet apps execute cells starting with these; such cells get a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',');
}

/** The acting identity, shortly: the user name, else the role session as role/session, else the ARN or type. */
export function actingLabel(e: StoredEvent): string {
  const a = e.actor;
  if (a.sessionIssuerUserName && a.sessionName) return `${a.sessionIssuerUserName}/${a.sessionName}`;
  return a.userName ?? a.sessionName ?? a.invokedBy ?? a.arn ?? a.principalId ?? a.type ?? '-';
}

/** Who did it: the acting identity, preceded by the origin behind it when that is someone else. */
export function identityLabel(e: StoredEvent): string {
  const acting = actingLabel(e);
  const r = e.resolution;
  if (!r || r.chain.length === 0) return acting;
  const mark = r.resolvedBy === 'access-key-chain' ? '' : r.resolvedBy === 'unresolved' ? '?' : '~';
  return r.resolvedBy === 'unresolved' ? `? ${acting}` : `${r.origin.name}${mark} → ${acting}`;
}

export function outcomeLabel(e: StoredEvent): string {
  return e.errorCode ?? 'ok';
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Control characters in attacker-controlled text must not drive the terminal. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function fit(s: string, width: number): string {
  const p = printable(s);
  return p.length > width ? `${p.slice(0, width - 1)}…` : p.padEnd(width);
}

export interface Column<T> {
  title: string;
  width: number;
  value: (row: T) => string;
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const header = columns
    .map((c) => fit(c.title, c.width))
    .join('  ')
    .trimEnd();
  const lines = rows.map((r) =>
    columns
      .map((c) => fit(c.value(r), c.width))
      .join('  ')
      .trimEnd(),
  );
  return [header, ...lines].join('\n');
}

export const EVENT_COLUMNS: readonly Column<StoredEvent>[] = [
  { title: 'TIME', width: 20, value: (e) => isoTime(e.eventTime) },
  { title: 'EVENT', width: 30, value: (e) => e.eventName ?? '-' },
  { title: 'SOURCE', width: 22, value: (e) => (e.eventSource ?? '-').replace('.amazonaws.com', '') },
  { title: 'IDENTITY (ORIGIN → ACTING)', width: 48, value: identityLabel },
  { title: 'SOURCE IP', width: 16, value: (e) => e.sourceIpAddress ?? '-' },
  { title: 'REGION', width: 14, value: (e) => e.awsRegion ?? '-' },
  { title: 'ACCOUNT', width: 12, value: (e) => e.recipientAccountId },
  { title: 'OUTCOME', width: 24, value: outcomeLabel },
];

export const CSV_HEADER = [
  'eventTime',
  'eventId',
  'eventSource',
  'eventName',
  'identityType',
  'identityArn',
  'origin',
  'originResolvedBy',
  'userName',
  'accessKeyId',
  'sourceIPAddress',
  'userAgent',
  'awsRegion',
  'recipientAccountId',
  'readOnly',
  'errorCode',
  'errorMessage',
  'resources',
] as const;

export function eventCsvRow(e: StoredEvent): string {
  return csvLine([
    isoTime(e.eventTime),
    e.eventId,
    e.eventSource,
    e.eventName,
    e.actor.type,
    e.actor.arn,
    e.resolution?.origin.name,
    e.resolution?.resolvedBy,
    e.actor.userName ?? e.actor.sessionName,
    e.actor.accessKeyId,
    e.sourceIpAddress,
    e.userAgent,
    e.awsRegion,
    e.recipientAccountId,
    e.readOnly,
    e.errorCode,
    e.errorMessage,
    e.resources.map((r) => r.arn ?? '').join(' '),
  ]);
}
