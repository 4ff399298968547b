// Reading CloudTrail logs in time order: the listings of every account and region merged by delivery time.
import { parseKeyLayout } from './key-layout.js';

/** `<account>_CloudTrail_<region>_<YYYYMMDD>T<HHmm>Z_<unique>.json.gz`: the delivery time in the file name. */
const DELIVERY_STAMP = /_(\d{8}T\d{4}Z)_[^/]*$/;

/**
 * Where a file of the CloudTrail layout sorts in time: its delivery day, then the delivery time in its
 * name (files named otherwise sort by name within their day); null outside the layout.
 */
export function deliveryKey(key: string): string | null {
  const slashed = key.replaceAll('\\', '/');
  const layout = parseKeyLayout(slashed);
  if (!layout) return null;
  const name = slashed.slice(slashed.lastIndexOf('/') + 1);
  return `${layout.day} ${DELIVERY_STAMP.exec(name)?.[1] ?? name}`;
}

const REGION_FOLDER =
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail(?:-Insight|-Digest)?\/[A-Za-z0-9-]+\/?$/;
const DATE_FOLDERS =
  /\/CloudTrail(?:-Insight|-Digest)?\/[A-Za-z0-9-]+\/(\d{4})\/(?:(\d{2})\/(?:(\d{2})\/)?)?/;

/** Whether a folder is a region folder of the layout (`AWSLogs/[o-org/]<account>/CloudTrail/<region>`). */
export function isRegionFolder(dir: string): boolean {
  return REGION_FOLDER.test(dir.replaceAll('\\', '/'));
}

/** The least delivery key of any file under a folder or prefix: its year, month or day where it names one. */
export function leastDeliveryKey(prefix: string): string {
  const m = DATE_FOLDERS.exec(prefix.replaceAll('\\', '/'));
  return m ? [m[1], m[2], m[3]].filter(Boolean).join('-') : '';
}

/** Byte order for ASCII keys, which is the order S3 itself lists in (not `localeCompare`). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Delivery order: by delivery key, ties (and names outside the layout, keyed '') by name. */
function byDelivery(a: { key: string; name: string }, b: { key: string; name: string }): number {
  return byCodeUnit(a.key, b.key) || byCodeUnit(a.name, b.name);
}

/** Names (paths or keys) sorted in delivery order, each key parsed once. */
export function inDeliveryOrder(names: readonly string[]): string[] {
  return names
    .map((name) => ({ name, key: deliveryKey(name) ?? '' }))
    .sort(byDelivery)
    .map(({ name }) => name);
}

/** A listing in key order (a region's days sort in time), opened only when the merge reaches `least`. */
export interface DeliveryStream<T> {
  /** No item of the stream has a smaller delivery key. */
  least: string;
  open: () => AsyncIterator<T>;
}

interface Head<T> {
  key: string;
  name: string;
  item?: T;
  rest?: AsyncIterator<T>;
  open?: () => AsyncIterator<T>;
}

/**
 * Merges listings into one stream by delivery key, ties by name (`nameOf`: a path or key). Only the
 * next item of each open listing is held, and a listing is opened when nothing before its least key is
 * left, so millions of files are never listed whole and a month's day folders are listed one by one.
 * Items outside the layout sort first; every item is yielded once whatever its key.
 */
export async function* mergeByDelivery<T>(
  streams: readonly DeliveryStream<T>[],
  nameOf: (item: T) => string,
): AsyncGenerator<T> {
  const heap: Head<T>[] = streams.map((s) => ({ key: s.least, name: '', open: s.open }));
  heapify(heap);
  const pull = async (rest: AsyncIterator<T>): Promise<void> => {
    const next = await rest.next();
    if (next.done) return;
    const name = nameOf(next.value);
    heapPush(heap, { key: deliveryKey(name) ?? '', name, item: next.value, rest });
  };
  for (let head = heapPop(heap); head; head = heapPop(heap)) {
    if (head.open) {
      await pull(head.open());
      continue;
    }
    yield head.item as T;
    if (head.rest) await pull(head.rest);
  }
}

function isBefore<T>(a: Head<T>, b: Head<T>): boolean {
  return byDelivery(a, b) < 0;
}

function heapify<T>(heap: Head<T>[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
}

function heapPush<T>(heap: Head<T>[], item: Head<T>): void {
  heap.push(item);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (!isBefore(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop<T>(heap: Head<T>[]): Head<T> | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top && last && heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
  return top;
}

function siftDown<T>(heap: Head<T>[], start: number): void {
  for (let i = start; ;) {
    const [l, r] = [2 * i + 1, 2 * i + 2];
    let least = i;
    if (l < heap.length && isBefore(heap[l]!, heap[least]!)) least = l;
    if (r < heap.length && isBefore(heap[r]!, heap[least]!)) least = r;
    if (least === i) return;
    [heap[i], heap[least]] = [heap[least]!, heap[i]!];
    i = least;
  }
}
