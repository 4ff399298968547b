// Output for people (tables) and programs (jsonl, csv safe against formula injection).
import type { StoredEvent } from '../domain/event.js';
import { describeInsight, insightOf } from '../domain/insight.js';

export { csvCell, csvLine, EVENT_CSV_HEADER as CSV_HEADER, eventCsvRow } from '../domain/event-csv.js';

/** The acting identity, shortly: the user name, else the role session as role/session, else the ARN or type. */
export function actingLabel(e: StoredEvent): string {
  const a = e.actor;
  if (a.sessionIssuerUserName && a.sessionName) return `${a.sessionIssuerUserName}/${a.sessionName}`;
  return a.userName ?? a.sessionName ?? a.invokedBy ?? a.arn ?? a.principalId ?? a.type ?? '-';
}

/** Who did it: the acting identity, preceded by the origin behind it when that is someone else. */
export function identityLabel(e: StoredEvent): string {
  // An Insights event has no caller; what it reports takes the column.
  const insight = insightOf(e.raw);
  if (insight) return describeInsight(insight);
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
  {
    title: 'EVENT',
    width: 30,
    value: (e) => `${e.eventCategory === 'Insight' ? 'INSIGHT ' : ''}${e.eventName ?? '-'}`,
  },
  { title: 'SOURCE', width: 22, value: (e) => (e.eventSource ?? '-').replace('.amazonaws.com', '') },
  { title: 'IDENTITY (ORIGIN → ACTING)', width: 48, value: identityLabel },
  { title: 'SOURCE IP', width: 16, value: (e) => e.sourceIpAddress ?? '-' },
  { title: 'REGION', width: 14, value: (e) => e.awsRegion ?? '-' },
  { title: 'ACCOUNT', width: 12, value: (e) => e.recipientAccountId },
  { title: 'OUTCOME', width: 24, value: outcomeLabel },
];
