// Parsing `cloudtrail://<region>[?since=…&until=…&window=…]`: the account's event history in one region.
import { SourceError } from '../port.js';

export interface CloudTrailLocation {
  region: string;
  /** Query parameters as written; the caller turns times and durations into numbers. */
  since?: string;
  until?: string;
  window?: string;
}

const EXAMPLE = 'cloudtrail://us-east-1?since=7d';
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const PARAMS = new Set(['since', 'until', 'window']);

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
        `Unknown parameter "${name}" in "${url}": expected since, until or window, e.g. ${EXAMPLE}&until=1d`,
      );
    location[name as 'since' | 'until' | 'window'] = value;
  }
  return location;
}
