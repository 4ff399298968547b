// Planning a pruned listing (pure): where a URL prefix sits in the CloudTrail layout and which folders to descend.
import { deliveryDayRange } from '../key-layout.js';
import type { ListingFilter } from '../port.js';

/** What a folder is: `logs` is an `AWSLogs/` folder, `trail` a CloudTrail(-Insight|-Digest) folder. */
export type Level = 'logs' | 'org' | 'account' | 'trail' | 'region' | 'year' | 'month' | 'day';

export interface LayoutNode {
  level: Level;
  /** The folder, ending in `/`. */
  path: string;
  /** What to list: the folder, or for the first node the URL prefix, which may end inside a child's name. */
  listPrefix: string;
  /** The region folder above a date folder, else ''. */
  regionPath: string;
  /** The date the folder stands for: '', 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  date: string;
}

/** The next step for a node: prefixes to list in full, and nodes to expand further. */
export interface Expansion {
  leaves: string[];
  children: LayoutNode[];
}

type DayRange = ReturnType<typeof deliveryDayRange>;

const TRAIL_FOLDERS: ReadonlySet<string> = new Set(['CloudTrail', 'CloudTrail-Insight', 'CloudTrail-Digest']);
const ORG = /^o-[a-z0-9]+$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[A-Za-z0-9-]+$/;
const YEAR = /^\d{4}$/;
const MONTH = /^(0[1-9]|1[0-2])$/;
const DAY = /^(0[1-9]|[12]\d|3[01])$/;

/** An `AWSLogs/` folder found by searching. */
export function logsNode(path: string): LayoutNode {
  return { level: 'logs', path, listPrefix: path, regionPath: '', date: '' };
}

/**
 * Where a URL prefix sits: inside an `AWSLogs/` layout (the node to start from), above one (`search`), inside
 * something else under `AWSLogs/` (`foreign`: list it flat), or in a part the filter excludes (`pruned`).
 */
export function locateInLayout(
  prefix: string,
  filter: ListingFilter,
): LayoutNode | 'search' | 'foreign' | 'pruned' {
  const logs = /(?:^|\/)AWSLogs\//.exec(prefix);
  if (!logs) return 'search';
  const logsPath = prefix.slice(0, logs.index + logs[0].length);
  const segments = prefix.slice(logsPath.length).split('/');
  const partial = segments.pop() ?? '';
  let node = logsNode(logsPath);
  for (const segment of segments) {
    const child = childNode(node, segment, filter);
    if (typeof child === 'string') return child;
    node = child;
  }
  return { ...node, listPrefix: node.path + partial };
}

/** The node for sub-folder `segment` of `parent`, `foreign` when it is not part of the layout, or `pruned`. */
export function childNode(
  parent: LayoutNode,
  segment: string,
  filter: ListingFilter,
): LayoutNode | 'foreign' | 'pruned' {
  const path = `${parent.path}${segment}/`;
  const node = (level: Level, date = ''): LayoutNode => ({
    level,
    path,
    listPrefix: path,
    regionPath: level === 'region' ? path : parent.regionPath,
    date,
  });
  const range = deliveryDayRange(filter);
  switch (parent.level) {
    case 'logs':
      if (ORG.test(segment)) return node('org');
      return accountNode(segment, filter, node);
    case 'org':
      return accountNode(segment, filter, node);
    case 'account':
      return TRAIL_FOLDERS.has(segment) ? node('trail') : 'foreign';
    case 'trail':
      if (!REGION.test(segment)) return 'foreign';
      return filter.regions?.length && !filter.regions.includes(segment) ? 'pruned' : node('region');
    case 'region':
      if (!YEAR.test(segment)) return 'foreign';
      return overlaps(`${segment}-01-01`, `${segment}-12-31`, range) ? node('year', segment) : 'pruned';
    case 'year': {
      if (!MONTH.test(segment)) return 'foreign';
      const month = `${parent.date}-${segment}`;
      return overlaps(`${month}-01`, `${month}-31`, range) ? node('month', month) : 'pruned';
    }
    case 'month': {
      if (!DAY.test(segment)) return 'foreign';
      const day = `${parent.date}-${segment}`;
      return overlaps(day, day, range) ? node('day', day) : 'pruned';
    }
    case 'day':
      return node('day', parent.date);
  }
}

function accountNode(
  segment: string,
  filter: ListingFilter,
  node: (level: Level) => LayoutNode,
): LayoutNode | 'foreign' | 'pruned' {
  if (!ACCOUNT.test(segment)) return 'foreign';
  return filter.accounts?.length && !filter.accounts.includes(segment) ? 'pruned' : node('account');
}

/**
 * Expands a date-level node without a request where the filter allows: no time bounds means list the whole
 * folder; both bounds mean the months (and, at the edges, days) can be generated. Null: list its sub-folders.
 */
export function expandWithoutListing(node: LayoutNode, filter: ListingFilter): Expansion | null {
  const range = deliveryDayRange(filter);
  const isOpen = range.first === null && range.last === null;
  const isBounded = range.first !== null && range.last !== null;
  switch (node.level) {
    case 'day':
      return { leaves: [node.listPrefix], children: [] };
    case 'region':
    case 'year':
      if (isOpen) return { leaves: [node.listPrefix], children: [] };
      if (!isBounded) return null;
      return { leaves: [], children: generatedMonths(node, range.first ?? '', range.last ?? '') };
    case 'month': {
      const lastDay = `${node.date}-${daysInMonth(node.date)}`;
      if (isOpen || within(`${node.date}-01`, lastDay, range))
        return { leaves: [node.listPrefix], children: [] };
      if (!isBounded) return null;
      return { leaves: generatedDays(node, range), children: [] };
    }
    default:
      return null;
  }
}

function generatedMonths(node: LayoutNode, first: string, last: string): LayoutNode[] {
  const months: LayoutNode[] = [];
  let [year, month] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
  for (let ym = first.slice(0, 7); ym <= last.slice(0, 7); ym = `${year}-${pad(month)}`) {
    const path = `${node.regionPath}${ym.replace('-', '/')}/`;
    const listPrefix = narrow(path, node.listPrefix);
    if (listPrefix !== null)
      months.push({ level: 'month', path, listPrefix, regionPath: node.regionPath, date: ym });
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}

function generatedDays(node: LayoutNode, range: DayRange): string[] {
  const days: string[] = [];
  for (let d = 1; d <= daysInMonth(node.date); d++) {
    const day = `${node.date}-${pad(d)}`;
    if (!overlaps(day, day, range)) continue;
    const listPrefix = narrow(`${node.regionPath}${day.replaceAll('-', '/')}/`, node.listPrefix);
    if (listPrefix !== null) days.push(listPrefix);
  }
  return days;
}

/** The narrower of a folder and a prefix when one contains the other; null when they are disjoint. */
function narrow(path: string, listPrefix: string): string | null {
  if (path.startsWith(listPrefix)) return path;
  return listPrefix.startsWith(path) ? listPrefix : null;
}

/** Whether days [from, to] (`YYYY-MM-DD`, compared as text) meet the range. */
function overlaps(from: string, to: string, range: DayRange): boolean {
  return (range.first === null || to >= range.first) && (range.last === null || from <= range.last);
}

/** Whether days [from, to] lie wholly inside the range. */
function within(from: string, to: string, range: DayRange): boolean {
  return (range.first === null || from >= range.first) && (range.last === null || to <= range.last);
}

function daysInMonth(yearMonth: string): number {
  return new Date(Date.UTC(Number(yearMonth.slice(0, 4)), Number(yearMonth.slice(5, 7)), 0)).getUTCDate();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
