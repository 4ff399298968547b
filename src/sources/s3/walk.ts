// Finding the prefixes to list: search for AWSLogs/ folders, then descend the layout with delimiter listings.
import type { ListingFilter } from '../port.js';
import { mapLimit } from './concurrency.js';
import type { BucketLister } from './list.js';
import {
  childNode,
  expandWithoutListing,
  locateInLayout,
  logsNode,
  type Expansion,
  type LayoutNode,
} from './plan.js';

/** How many folder levels below the URL prefix an `AWSLogs/` folder is looked for. */
export const AWSLOGS_SEARCH_DEPTH = 3;
/** A search that would list more folders than this at one level stops there: the URL is too broad to search. */
const MAX_SEARCH_FOLDERS = 1000;

/**
 * The prefixes holding the CloudTrail files under `prefix` that can pass the filter, each to be listed in full;
 * null when no CloudTrail layout is found there, so the caller lists `prefix` itself.
 */
export async function findLeafPrefixes(
  lister: BucketLister,
  prefix: string,
  filter: ListingFilter,
  concurrency: number,
): Promise<string[] | null> {
  const start = locateInLayout(prefix, filter);
  if (start === 'foreign') return null;
  if (start === 'pruned') return [];
  let pending =
    start === 'search' ? (await searchAwsLogs(lister, prefix, concurrency)).map(logsNode) : [start];
  if (pending.length === 0) return null;

  const leaves: string[] = [];
  while (pending.length > 0) {
    const expansions = await mapLimit(pending, concurrency, (node) => expand(lister, node, filter));
    pending = [];
    for (const { leaves: found, children } of expansions) {
      leaves.push(...found);
      pending.push(...children);
    }
  }
  return leaves;
}

async function expand(lister: BucketLister, node: LayoutNode, filter: ListingFilter): Promise<Expansion> {
  const planned = expandWithoutListing(node, filter);
  if (planned) return planned;
  const children: LayoutNode[] = [];
  for (const folder of await lister.folders(node.listPrefix)) {
    const child = childNode(node, folder.slice(node.path.length, -1), filter);
    if (typeof child !== 'string') children.push(child);
  }
  return { leaves: [], children };
}

/** `AWSLogs/` folders up to AWSLOGS_SEARCH_DEPTH levels below `prefix`, breadth first, not looking inside them. */
async function searchAwsLogs(lister: BucketLister, prefix: string, concurrency: number): Promise<string[]> {
  const found: string[] = [];
  let frontier = [prefix];
  for (let depth = 0; depth <= AWSLOGS_SEARCH_DEPTH && frontier.length > 0; depth++) {
    if (frontier.length > MAX_SEARCH_FOLDERS) break;
    const listings = await mapLimit(frontier, concurrency, (folder) => lister.folders(folder));
    frontier = [];
    for (const folder of listings.flat()) {
      if (folder === 'AWSLogs/' || folder.endsWith('/AWSLogs/')) found.push(folder);
      else frontier.push(folder);
    }
  }
  return found;
}
