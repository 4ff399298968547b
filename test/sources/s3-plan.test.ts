// Unit tests for planning a pruned S3 listing: locating a URL prefix in the layout and generating date prefixes.
import { describe, expect, it } from 'vitest';
import type { ListingFilter } from '../../src/sources/port.js';
import {
  childNode,
  expandWithoutListing,
  locateInLayout,
  type LayoutNode,
} from '../../src/sources/s3/plan.js';

const REGION = 'AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/';
const at = (iso: string): number => Date.parse(iso);

/** Expands until only leaves are left, for nodes that need no listing. */
function leavesOf(node: LayoutNode, filter: ListingFilter): string[] {
  const expansion = expandWithoutListing(node, filter);
  if (!expansion) throw new Error(`${node.path} needs a listing`);
  return [...expansion.leaves, ...expansion.children.flatMap((child) => leavesOf(child, filter))];
}

describe('locateInLayout', () => {
  it('searches when the prefix is above any AWSLogs/ folder', () => {
    expect(locateInLayout('', {})).toBe('search');
    expect(locateInLayout('custom/prefix/', {})).toBe('search');
    expect(locateInLayout('custom/MyAWSLogs/', {})).toBe('search');
  });

  it('starts inside the layout at the deepest complete folder, listing the prefix itself', () => {
    expect(locateInLayout(`custom/${REGION}2024/`, {})).toEqual({
      level: 'year',
      path: `custom/${REGION}2024/`,
      listPrefix: `custom/${REGION}2024/`,
      regionPath: `custom/${REGION}`,
      date: '2024',
    });
    expect(locateInLayout('AWSLogs/o-abc123defg/1111', {})).toMatchObject({
      level: 'org',
      path: 'AWSLogs/o-abc123defg/',
      listPrefix: 'AWSLogs/o-abc123defg/1111',
    });
  });

  it('reports folders outside the CloudTrail layout and folders the filter excludes', () => {
    expect(locateInLayout('AWSLogs/111122223333/Config/', {})).toBe('foreign');
    expect(locateInLayout('AWSLogs/111122223333/CloudTrail/', { accounts: ['444455556666'] })).toBe('pruned');
    expect(locateInLayout(`${REGION}2023/`, { since: at('2024-01-01T00:00:00Z') })).toBe('pruned');
  });
});

describe('childNode', () => {
  const logs = locateInLayout('AWSLogs/', {}) as LayoutNode;

  it('tells organizations, accounts and other folders apart', () => {
    expect(childNode(logs, 'o-abc123defg', {})).toMatchObject({ level: 'org' });
    expect(childNode(logs, '111122223333', {})).toMatchObject({ level: 'account' });
    expect(childNode(logs, '111122223333', { accounts: ['444455556666'] })).toBe('pruned');
    expect(childNode(logs, 'Config', {})).toBe('foreign');
  });

  it('prunes months outside the range', () => {
    const year = locateInLayout(`${REGION}2024/`, {}) as LayoutNode;
    const filter = { since: at('2024-02-15T00:00:00Z') };
    expect(childNode(year, '01', filter)).toBe('pruned');
    expect(childNode(year, '02', filter)).toMatchObject({ level: 'month', date: '2024-02' });
    expect(childNode(year, '13', filter)).toBe('foreign');
  });
});

describe('expandWithoutListing', () => {
  const region = locateInLayout(REGION, {}) as LayoutNode;

  it('lists a whole region when there are no time bounds', () => {
    expect(leavesOf(region, {})).toEqual([REGION]);
  });

  it('generates the day prefixes of a short range across a month end', () => {
    const filter = { since: at('2024-02-28T10:00:00Z'), until: at('2024-02-29T10:00:00Z') };
    expect(leavesOf(region, filter)).toEqual([
      `${REGION}2024/02/28/`,
      `${REGION}2024/02/29/`,
      `${REGION}2024/03/01/`,
    ]);
  });

  it('lists whole months inside a long range and days at its edges', () => {
    const filter = { since: at('2023-12-30T00:00:00Z'), until: at('2024-03-01T12:00:00Z') };
    expect(leavesOf(region, filter)).toEqual([
      `${REGION}2023/12/30/`,
      `${REGION}2023/12/31/`,
      `${REGION}2024/01/`,
      `${REGION}2024/02/`,
      `${REGION}2024/03/01/`,
      `${REGION}2024/03/02/`,
    ]);
  });

  it('keeps only what lies under a start prefix that ends inside a folder name', () => {
    const start = locateInLayout(`${REGION}2024/02/2`, {}) as LayoutNode;
    const filter = { since: at('2024-02-19T00:00:00Z'), until: at('2024-02-21T00:00:00Z') };
    expect(leavesOf(start, filter)).toEqual([
      `${REGION}2024/02/20/`,
      `${REGION}2024/02/21/`,
      `${REGION}2024/02/22/`,
    ]);
  });

  it('needs a listing for a one-sided range, unless a month lies wholly inside it', () => {
    const filter = { since: at('2024-02-10T00:00:00Z') };
    expect(expandWithoutListing(region, filter)).toBeNull();
    const march = childNode(childNode(region, '2024', filter) as LayoutNode, '03', filter) as LayoutNode;
    expect(expandWithoutListing(march, filter)).toEqual({ leaves: [`${REGION}2024/03/`], children: [] });
    const february = childNode(childNode(region, '2024', filter) as LayoutNode, '02', filter) as LayoutNode;
    expect(expandWithoutListing(february, filter)).toBeNull();
  });
});
