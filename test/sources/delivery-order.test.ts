// Sources read a CloudTrail log folder in delivery order across accounts and regions.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalSource } from '../../src/sources/local/files.js';
import {
  deliveryKey,
  isRegionFolder,
  leastDeliveryKey,
  mergeByDelivery,
} from '../../src/sources/delivery-order.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-local-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const trailFile = (account: string, region: string, stamp: string, org = ''): string => {
  const day = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  return `AWSLogs/${org}${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${stamp}_x${stamp.slice(9, 13)}.json.gz`;
};

// Written in an order that is neither path order nor time order.
const FILES = {
  b: trailFile('111111111111', 'us-east-1', '20240201T0005Z'),
  zzz: 'AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/31/zzz.json',
  e: trailFile('222222222222', 'us-east-1', '20240201T0000Z', 'o-abc123/'),
  a: trailFile('111111111111', 'us-east-1', '20240131T2355Z'),
  d: trailFile('222222222222', 'us-east-1', '20240130T0100Z', 'o-abc123/'),
  c: trailFile('111111111111', 'eu-west-1', '20240131T1200Z'),
  extra: 'notes/extra.json',
};
const IN_TIME_ORDER = ['extra', 'd', 'c', 'a', 'zzz', 'e', 'b'] as const;

function writeTree(dir: string): void {
  for (const rel of Object.values(FILES)) {
    mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), '{"Records":[]}');
  }
}

async function listed(args: string[], dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of createLocalSource(args).list())
    out.push(path.relative(dir, o.uri).split(path.sep).join('/'));
  return out;
}

describe('local source order', () => {
  const dir = path.join(root, 'logs');
  writeTree(dir);
  const expected = IN_TIME_ORDER.map((k) => FILES[k]);

  it('reads a folder: files outside the layout first, then every account and region by delivery time', async () => {
    expect(await listed([dir], dir)).toEqual(expected);
  });

  it('orders the files of a glob pattern the same way', async () => {
    expect(await listed([`${dir.split(path.sep).join('/')}/**/*.json*`], dir)).toEqual(expected);
  });

  it('reads one account folder in time order too', async () => {
    const account = path.join(dir, 'AWSLogs', '111111111111');
    const got = await listed([account], dir);
    expect(got).toEqual(['c', 'a', 'zzz', 'b'].map((k) => FILES[k as keyof typeof FILES]));
  });

  it('keeps the filter', async () => {
    const out: string[] = [];
    for await (const o of createLocalSource([dir], { regions: ['eu-west-1'] }).list()) out.push(o.uri);
    expect(out.map((u) => path.relative(dir, u).split(path.sep).join('/'))).toEqual([FILES.extra, FILES.c]);
  });

  it('knows region folders and delivery keys', () => {
    expect(isRegionFolder('/x/AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1')).toBe(true);
    expect(isRegionFolder('C:\\logs\\AWSLogs\\111111111111\\CloudTrail-Insight\\eu-west-1')).toBe(true);
    expect(isRegionFolder('/x/AWSLogs/111111111111/CloudTrail')).toBe(false);
    expect(isRegionFolder('/x/AWSLogs/111111111111/CloudTrail/us-east-1/2024')).toBe(false);
    expect(deliveryKey(FILES.a)).toBe('2024-01-31 20240131T2355Z');
    expect(deliveryKey(FILES.zzz)).toBe('2024-01-31 zzz.json');
    expect(deliveryKey(FILES.extra)).toBeNull();
    expect(leastDeliveryKey('AWSLogs/111111111111/CloudTrail/us-east-1/2024/02/29/')).toBe('2024-02-29');
    expect(leastDeliveryKey('AWSLogs/111111111111/CloudTrail/us-east-1/2024/02/')).toBe('2024-02');
    expect(leastDeliveryKey('AWSLogs/111111111111/CloudTrail/us-east-1/2024/0')).toBe('2024');
    expect(leastDeliveryKey('AWSLogs/111111111111/CloudTrail-Insight/us-east-1/2024/')).toBe('2024');
    expect(leastDeliveryKey('AWSLogs/111111111111/CloudTrail/us-east-1/')).toBe('');
  });
});

describe('mergeByDelivery', () => {
  // Each next file costs a turn of the event loop, as a directory read does.
  async function* stream(files: string[]): AsyncGenerator<string> {
    for (const f of files) yield await Promise.resolve(f);
  }

  it('yields every file of every stream once, in delivery order, reading each stream lazily', async () => {
    // 40 region streams, each in its own time order, with random gaps: the merge equals a full sort.
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const streams: string[][] = [];
    for (let s = 0; s < 40; s++) {
      const files: string[] = [];
      let t = Date.parse('2024-01-01T00:00:00Z') + random(86_400_000);
      for (let i = random(30); i > 0; i--) {
        t += random(4 * 3_600_000);
        const stamp = new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
        files.push(trailFile(String(100_000_000_000 + s), 'us-east-1', stamp));
      }
      streams.push(files);
    }
    const pulled = streams.map(() => 0);
    const counting = streams.map(async function* (files, s) {
      for (const f of files) {
        pulled[s]!++;
        yield await Promise.resolve(f);
      }
    });
    const merged: string[] = [];
    const opened = counting.map((open) => ({ least: '', open: () => open }));
    for await (const f of mergeByDelivery(opened, (name) => name)) {
      merged.push(f);
      if (merged.length === 1) expect(Math.max(...pulled)).toBeLessThanOrEqual(1);
    }
    const all = streams.flat();
    const sorted = [...all].sort((x, y) => {
      const [kx, ky] = [deliveryKey(x) ?? '', deliveryKey(y) ?? ''];
      return kx < ky ? -1 : kx > ky ? 1 : x < y ? -1 : x > y ? 1 : 0;
    });
    expect(merged).toEqual(sorted);
    expect(merged.length).toBeGreaterThan(100);
    const few: string[] = [];
    const two = [stream([]), stream([FILES.a])].map((open) => ({ least: '', open: () => open }));
    for await (const f of mergeByDelivery(two, (name) => name)) few.push(f);
    expect(few).toEqual([FILES.a]);
  });

  it('opens a listing only when nothing before its least key is left', async () => {
    const opened: string[] = [];
    const day = (d: string, files: string[]) => ({
      least: d,
      open: () => {
        opened.push(d);
        return stream(files);
      },
    });
    const jan30 = trailFile('111111111111', 'us-east-1', '20240130T0100Z');
    const jan31 = trailFile('111111111111', 'us-east-1', '20240131T0100Z');
    const feb01 = trailFile('111111111111', 'us-east-1', '20240201T0100Z');
    const merged: string[] = [];
    const streams = [day('2024-02-01', [feb01]), day('2024-01-31', [jan31]), day('2024-01-30', [jan30])];
    for await (const f of mergeByDelivery(streams, (name) => name)) {
      merged.push(f);
      if (f === jan30) expect(opened).toEqual(['2024-01-30']);
    }
    expect(merged).toEqual([jan30, jan31, feb01]);
    expect(opened).toEqual(['2024-01-30', '2024-01-31', '2024-02-01']);
  });
});
