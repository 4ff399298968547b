// CSV of events, safe against formula injection: shared by the CLI and the HTTP export.
import type { StoredEvent } from './event.js';

/** Spreadsheet apps execute cells starting with these; such cells get a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvCell).join(',');
}

export const EVENT_CSV_HEADER = [
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
    new Date(e.eventTime).toISOString(),
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
