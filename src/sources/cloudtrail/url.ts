// Parsing `cloudtrail://<region>[?since=…&until=…&window=…]`: the account's event history in one region.
import { SourceError } from '../port.js';

export interface CloudTrailLocation {
  region: string;
  /** Query parameters as written; the caller turns times and durations into numbers. */
  since?: string;
  until?: string;
  window?: string;
  /** `insight` reads the Insights events of the history instead of its management events. */
  category?: string;
}

const EXAMPLE = 'cloudtrail://us-east-1?since=7d';
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const PARAMS = new Set(['since', 'until', 'window', 'category']);

export function isCloudTrailUrl(url: string): boolean {
  return url.startsWith('cloudtrail://');
}

/** Parses the URL; throws a SourceError that says what was expected for anything else. */
export function parseCloudTrailUrl(url: string): CloudTrailLocation {
  const match = /^cloudtrail:\/\/([^/?]*)\/?(?:\?(.*))?$/s.exec(url);
  if (!match) throw new SourceError(`Expected an event history URL like ${EXAMPLE}, found "${url}"`);
  const [, region = '', query = ''] = match;
  if (!REGION.test(region))
    throw new SourceError(
      `Expected a region after cloudtrail:// (such as us-east-1), found "${region}" in "${url}"; e.g. ${EXAMPLE}`,
    );
  const location: CloudTrailLocation = { region };
  for (const [name, value] of new URLSearchParams(query)) {
    if (!PARAMS.has(name))
      throw new SourceError(
        `Unknown parameter "${name}" in "${url}": expected since, until, window or category, e.g. ${EXAMPLE}&until=1d`,
      );
    location[name as 'since' | 'until' | 'window' | 'category'] = value;
  }
  if (location.category !== undefined && !['management', 'insight'].includes(location.category))
    throw new SourceError(
      `category=${location.category} in "${url}": expected management (the default) or insight, e.g. ${EXAMPLE}&category=insight`,
    );
  return location;
}
