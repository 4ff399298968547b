// The CloudTrail S3 key layout: AWSLogs/[o-org/]<account>/<CloudTrail|-Insight|-Digest>/<region>/YYYY/MM/DD/.
import type { ListingFilter } from './port.js';

export type TrailFolder = 'CloudTrail' | 'CloudTrail-Insight' | 'CloudTrail-Digest';

export interface KeyLayout {
  /** Everything before `AWSLogs/` (a custom prefix), possibly empty. */
  prefix: string;
  orgId: string | null;
  account: string;
  folder: TrailFolder;
  region: string;
  /** The delivery day, `YYYY-MM-DD`. */
  day: string;
}

const LAYOUT =
  /^(.*?)AWSLogs\/(?:(o-[a-z0-9]+)\/)?(\d{12})\/(CloudTrail|CloudTrail-Insight|CloudTrail-Digest)\/([A-Za-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\//;

/** Parses a key or path that follows the CloudTrail layout; null when it does not. */
export function parseKeyLayout(key: string): KeyLayout | null {
  const m = LAYOUT.exec(key.replaceAll('\\', '/'));
  if (!m) return null;
  const [, prefix = '', orgId, account = '', folder, region = '', y, mo, d] = m;
  return {
    prefix,
    orgId: orgId ?? null,
    account,
    folder: folder as TrailFolder,
    region,
    day: `${y}-${mo}-${d}`,
  };
}

const DAY_MS = 86_400_000;

/** The UTC day (`YYYY-MM-DD`) of an epoch-millisecond time. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Delivery days that can hold events in [since, until]. Files are named by delivery time, which is
 * normally minutes (rarely hours) after the event, so the day after `until` is included too.
 */
export function deliveryDays(since: number, until: number): string[] {
  const days: string[] = [];
  const last = Math.floor(until / DAY_MS) + 1;
  for (let d = Math.floor(since / DAY_MS); d <= last; d++) days.push(dayOf(d * DAY_MS));
  return days;
}

/**
 * The first and last delivery day (`YYYY-MM-DD`) that can hold events of the filter's time range, the same
 * days as `deliveryDays`; null where the range is open.
 */
export function deliveryDayRange(filter: ListingFilter): { first: string | null; last: string | null } {
  return {
    first: filter.since === undefined ? null : dayOf(filter.since),
    last: filter.until === undefined ? null : dayOf(filter.until + DAY_MS),
  };
}

/** Whether a key passes the listing filter. Keys outside the layout pass: they cannot be pruned. */
export function keyMatchesFilter(key: string, filter: ListingFilter): boolean {
  const layout = parseKeyLayout(key);
  if (!layout) return true;
  if (filter.accounts?.length && !filter.accounts.includes(layout.account)) return false;
  if (filter.regions?.length && !filter.regions.includes(layout.region)) return false;
  const dayStart = Date.parse(`${layout.day}T00:00:00Z`);
  // A file delivered on day D holds events from D and (late ones) from before D.
  if (filter.since !== undefined && dayStart + DAY_MS <= filter.since) return false;
  if (filter.until !== undefined && dayStart - DAY_MS > filter.until) return false;
  return true;
}
