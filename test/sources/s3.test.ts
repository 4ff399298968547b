// The S3 source against a real S3 server in this process (fauxqs on 127.0.0.1): layout pruning, filters, pagination, errors.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  type ListObjectsV2CommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryKey } from '../../src/sources/delivery-order.js';
import { SourceError, type ListingFilter, type SourceObject } from '../../src/sources/port.js';
import { createS3Client, createS3Source } from '../../src/sources/s3/index.js';

const BUCKET = 'trail-bucket';
const ORG = 'o-abc123defg';
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const DAYS = ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01'];
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

type Folder = 'CloudTrail' | 'CloudTrail-Insight' | 'CloudTrail-Digest';
interface TrailFile {
  key: string;
  base: string;
  account: string;
  folder: Folder;
  region: string;
  day: string;
}

/** A trail file's key, named the way CloudTrail names them (lowercase hex suffix, see the fauxqs note below). */
function trailFile(
  base: string,
  account: string,
  folder: Folder,
  region: string,
  day: string,
  time: string,
): TrailFile {
  const compact = day.replaceAll('-', '');
  const suffix = createHash('md5')
    .update(`${base}${account}${folder}${region}${day}${time}`)
    .digest('hex')
    .slice(0, 16);
  const name =
    folder === 'CloudTrail-Digest'
      ? `${account}_CloudTrail-Digest_${region}_org-trail_us-east-1_${compact}T${time}00Z.json.gz`
      : `${account}_${folder}_${region}_${compact}T${time}Z_${suffix}.json.gz`;
  const key = `${base}${account}/${folder}/${region}/${day.replaceAll('-', '/')}/${name}`;
  return { key, base, account, folder, region, day };
}

/** An organization trail, a non-organization account beside it, and an older trail under a custom prefix. */
function trailFiles(): TrailFile[] {
  const files: TrailFile[] = [];
  const org = `AWSLogs/${ORG}/`;
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      for (const day of DAYS) {
        files.push(trailFile(org, account, 'CloudTrail', region, day, '0005'));
        files.push(trailFile(org, account, 'CloudTrail', region, day, '1235'));
      }
      for (const day of ['2024-02-28', '2024-03-01'])
        files.push(trailFile(org, account, 'CloudTrail-Digest', region, day, '0130'));
    }
  }
  files.push(trailFile(org, '111111111111', 'CloudTrail-Insight', 'us-east-1', '2024-02-28', '1200'));
  files.push(trailFile(org, '111111111111', 'CloudTrail-Insight', 'us-east-1', '2024-02-29', '1200'));
  files.push(trailFile('AWSLogs/', '444444444444', 'CloudTrail', 'us-east-1', '2024-02-29', '0005'));
  files.push(trailFile('AWSLogs/', '444444444444', 'CloudTrail', 'us-east-1', '2024-02-29', '0010'));
  files.push(trailFile('AWSLogs/', '444444444444', 'CloudTrail', 'eu-west-1', '2024-03-01', '0005'));
  files.push(
    trailFile('legacy/trails/AWSLogs/', '333333333333', 'CloudTrail', 'us-east-1', '2024-02-28', '0005'),
  );
  files.push(
    trailFile('legacy/trails/AWSLogs/', '333333333333', 'CloudTrail', 'us-east-1', '2024-02-28', '0500'),
  );
  files.push(
    trailFile('legacy/trails/AWSLogs/', '333333333333', 'CloudTrail', 'eu-west-1', '2024-03-01', '0005'),
  );
  return files;
}

/** Keys that are not CloudTrail files, including folder markers inside the layout. */
const UNRELATED = [
  'readme.txt',
  'AWSLogs/notes.txt',
  'legacy/trails/exports/report.csv',
  `AWSLogs/${ORG}/111111111111/Config/us-east-1/2024/02/28/111111111111_Config_us-east-1_ConfigHistory_x.json.gz`,
  'AWSLogs/444444444444/elasticloadbalancing/us-east-1/2024/02/29/lb.log.gz',
  `AWSLogs/${ORG}/111111111111/CloudTrail/us-east-1/2024/02/28/`,
  `AWSLogs/${ORG}/222222222222/CloudTrail/eu-west-1/`,
];

const FILES = trailFiles();
const contents = new Map<string, Buffer>();
let app: ReturnType<typeof buildApp>;
let endpointUrl: string;
const clients: S3Client[] = [];

function testClient(endpoint = endpointUrl): S3Client {
  const client = createS3Client({ endpointUrl: endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  clients.push(client);
  return client;
}

interface ListRequest {
  prefix: string;
  delimiter: string | undefined;
  token: string | undefined;
}

/** Records every ListObjectsV2 request a client sends, and the most that were in flight at once. */
function recordListRequests(client: S3Client): { requests: ListRequest[]; maxInFlight: number } {
  const record = { requests: [] as ListRequest[], maxInFlight: 0 };
  let inFlight = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'ListObjectsV2Command') return next(args);
      const input = args.input as ListObjectsV2CommandInput;
      record.requests.push({
        prefix: input.Prefix ?? '',
        delimiter: input.Delimiter,
        token: input.ContinuationToken,
      });
      record.maxInFlight = Math.max(record.maxInFlight, ++inFlight);
      try {
        return await next(args);
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'recordListRequests' },
  );
  return record;
}

async function collect(source: { list(): AsyncIterable<SourceObject> }): Promise<SourceObject[]> {
  const objects: SourceObject[] = [];
  for await (const object of source.list()) objects.push(object);
  return objects;
}

async function listKeys(url: string, filter: ListingFilter = {}, client = testClient()): Promise<string[]> {
  return (await collect(createS3Source({ client, url, filter }))).map((object) => object.key);
}

const keysOf = (files: TrailFile[]): string[] => files.map((file) => file.key).sort();
const at = (iso: string): number => Date.parse(iso);

/** A seeded shuffle, so uploads are out of order but the same on every run. */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function upload(client: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const order = shuffled(keys);
  for (let i = 0; i < order.length; i += 50) {
    await Promise.all(
      order.slice(i, i + 50).map((key) => {
        const body = key.endsWith('/') ? Buffer.alloc(0) : gzipSync(JSON.stringify({ Records: [{ key }] }));
        contents.set(`${bucket}/${key}`, body);
        // Some trail files carry Content-Encoding: gzip, as objects uploaded by some tools do.
        const encoding = key.includes('Insight') ? { ContentEncoding: 'gzip' } : {};
        return client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...encoding }));
      }),
    );
  }
}

beforeAll(async () => {
  // buildApp + listen on 127.0.0.1: startFauxqs always binds 0.0.0.0.
  app = buildApp({ logger: false });
  endpointUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = testClient();
  await upload(client, BUCKET, [...FILES.map((file) => file.key), ...UNRELATED]);
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await app.close();
});

describe('listing an organization trail bucket', () => {
  it('finds exactly the trail files of every layout, and nothing else', async () => {
    const keys = await listKeys(`s3://${BUCKET}`);
    expect(keys.toSorted()).toEqual(keysOf(FILES));
    expect(keys).toHaveLength(98);
  });

  it('describes each object: identity with the etag, uri, key, size', async () => {
    const objects = await collect(
      createS3Source({ client: testClient(), url: `s3://${BUCKET}/`, filter: {} }),
    );
    const file = FILES[0] as TrailFile;
    const object = objects.find((candidate) => candidate.key === file.key);
    const body = contents.get(`${BUCKET}/${file.key}`) as Buffer;
    const md5 = createHash('md5').update(body).digest('hex');
    expect(object).toMatchObject({
      identity: `s3://${BUCKET}/${file.key}#${md5}`,
      uri: `s3://${BUCKET}/${file.key}`,
      key: file.key,
      size: body.length,
    });
  });

  it('filters by account', async () => {
    const keys = await listKeys(`s3://${BUCKET}`, { accounts: ['222222222222'] });
    expect(keys.toSorted()).toEqual(keysOf(FILES.filter((file) => file.account === '222222222222')));
    expect(keys).toHaveLength(30);
  });

  it('filters by region across all layouts', async () => {
    const keys = await listKeys(`s3://${BUCKET}`, { regions: ['eu-west-1'] });
    expect(keys.toSorted()).toEqual(keysOf(FILES.filter((file) => file.region === 'eu-west-1')));
  });

  it('filters by time: delivery days from the day of since to the day after until', async () => {
    const filter = { since: at('2024-02-28T06:00:00Z'), until: at('2024-02-28T18:00:00Z') };
    const keys = await listKeys(`s3://${BUCKET}`, filter);
    const days = ['2024-02-28', '2024-02-29'];
    expect(keys.toSorted()).toEqual(keysOf(FILES.filter((file) => days.includes(file.day))));
  });

  it('filters by a time range open at either end', async () => {
    const since = await listKeys(`s3://${BUCKET}`, { since: at('2024-03-01T00:00:00Z') });
    expect(since.toSorted()).toEqual(keysOf(FILES.filter((file) => file.day === '2024-03-01')));
    const until = await listKeys(`s3://${BUCKET}`, { until: at('2024-02-27T12:00:00Z') });
    expect(until.toSorted()).toEqual(keysOf(FILES.filter((file) => file.day <= '2024-02-28')));
  });

  it('prunes a one-day, one-account, one-region query to that account and region', async () => {
    const fullClient = testClient();
    const full = recordListRequests(fullClient);
    await listKeys(`s3://${BUCKET}`, {}, fullClient);

    const client = testClient();
    const pruned = recordListRequests(client);
    const filter = {
      accounts: ['111111111111'],
      regions: ['us-east-1'],
      since: at('2024-02-29T00:00:00Z'),
      until: at('2024-02-29T23:59:59.999Z'),
    };
    const keys = await listKeys(`s3://${BUCKET}`, filter, client);

    const days = ['2024-02-29', '2024-03-01'];
    const expected = FILES.filter(
      (file) =>
        file.base === `AWSLogs/${ORG}/` &&
        file.account === '111111111111' &&
        file.region === 'us-east-1' &&
        days.includes(file.day),
    );
    expect(keys.toSorted()).toEqual(keysOf(expected));
    expect(pruned.requests.length).toBeLessThan(full.requests.length / 2);
    for (const { prefix } of pruned.requests) {
      expect(prefix).not.toMatch(/222222222222|333333333333|444444444444|eu-west-1|ap-southeast-2/);
    }
    // Objects are listed only in the generated day folders, never a whole region or month.
    const objectListings = pruned.requests.filter((request) => request.delimiter === undefined);
    expect(objectListings.map((request) => request.prefix).sort()).toEqual(
      ['CloudTrail', 'CloudTrail-Digest', 'CloudTrail-Insight']
        .flatMap((folder) =>
          ['2024/02/29/', '2024/03/01/'].map(
            (day) => `AWSLogs/${ORG}/111111111111/${folder}/us-east-1/${day}`,
          ),
        )
        .sort(),
    );
  });

  it('lists every account and region merged in delivery order, whole regions or day folders', async () => {
    const inDeliveryOrder = (keys: string[]): string[] =>
      keys.toSorted((a, b) => {
        const [ka, kb] = [deliveryKey(a) ?? '', deliveryKey(b) ?? ''];
        return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
      });
    const whole = await listKeys(`s3://${BUCKET}`);
    expect(whole).toEqual(inDeliveryOrder(keysOf(FILES)));
    // Not one region after another: the first day of every region comes before anyone's second day.
    expect(whole.slice(0, 3).map((key) => deliveryKey(key)?.slice(0, 10))).toEqual([
      '2024-02-27',
      '2024-02-27',
      '2024-02-27',
    ]);
    const filter = { since: at('2024-02-28T06:00:00Z'), until: at('2024-02-29T18:00:00Z') };
    const days = await listKeys(`s3://${BUCKET}`, filter);
    expect(days).toEqual(inDeliveryOrder(days));
    expect(days).toHaveLength(FILES.filter((f) => f.day >= '2024-02-28').length);
  });

  it('keeps at most listConcurrency requests in flight, in a deterministic order', async () => {
    const serialClient = testClient();
    const serial = recordListRequests(serialClient);
    const inOrder = await collect(
      createS3Source({ client: serialClient, url: `s3://${BUCKET}`, filter: {}, listConcurrency: 1 }),
    );
    const wideClient = testClient();
    const wide = recordListRequests(wideClient);
    const concurrent = await collect(
      createS3Source({ client: wideClient, url: `s3://${BUCKET}`, filter: {}, listConcurrency: 3 }),
    );
    expect(serial.maxInFlight).toBe(1);
    expect(wide.maxInFlight).toBeLessThanOrEqual(3);
    expect(concurrent.map((object) => object.key)).toEqual(inOrder.map((object) => object.key));
  });

  it('follows continuation tokens with a small page size', async () => {
    const client = testClient();
    const record = recordListRequests(client);
    const objects = await collect(createS3Source({ client, url: `s3://${BUCKET}`, filter: {}, pageSize: 2 }));
    expect(objects.map((object) => object.key).toSorted()).toEqual(keysOf(FILES));
    // Eight files in pages of two: four requests, each after the first carrying the previous page's token.
    const region = `AWSLogs/${ORG}/333333333333/CloudTrail/ap-southeast-2/`;
    const pages = record.requests.filter(
      (request) => request.prefix === region && request.delimiter === undefined,
    );
    expect(pages.map((request) => request.token !== undefined)).toEqual([false, true, true, true]);
  });

  it('reads the exact bytes uploaded, gzip and all, whatever the Content-Encoding', async () => {
    const objects = await collect(
      createS3Source({ client: testClient(), url: `s3://${BUCKET}`, filter: { accounts: ['111111111111'] } }),
    );
    const insight = objects.find((object) => object.key.includes('CloudTrail-Insight'));
    const plain = objects.find((object) => object.key.includes('/CloudTrail/'));
    for (const object of [insight, plain]) {
      const bytes = await object?.read();
      expect(bytes?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(bytes?.equals(contents.get(`${BUCKET}/${object?.key}`) as Buffer)).toBe(true);
    }
  });
});

describe('URLs below the bucket root', () => {
  const legacy = keysOf(FILES.filter((file) => file.base === 'legacy/trails/AWSLogs/'));

  it('finds the layout under a custom prefix', async () => {
    expect((await listKeys(`s3://${BUCKET}/legacy/`)).toSorted()).toEqual(legacy);
    expect((await listKeys(`s3://${BUCKET}/legacy/trails/AWSLogs/`)).toSorted()).toEqual(legacy);
  });

  it('starts inside the layout without listing above the URL prefix', async () => {
    const prefix = `AWSLogs/${ORG}/111111111111/CloudTrail/us-east-1/2024/`;
    const client = testClient();
    const record = recordListRequests(client);
    const keys = await listKeys(`s3://${BUCKET}/${prefix}`, {}, client);
    expect(keys.toSorted()).toEqual(keysOf(FILES.filter((file) => file.key.startsWith(prefix))));
    expect(keys).toHaveLength(8);
    expect(record.requests.every((request) => request.prefix.startsWith(prefix))).toBe(true);
  });

  it('combines a prefix inside the layout with a time filter', async () => {
    const prefix = `AWSLogs/${ORG}/111111111111/CloudTrail/us-east-1/2024/`;
    const filter = { since: at('2024-02-29T00:00:00Z'), until: at('2024-02-29T12:00:00Z') };
    const keys = await listKeys(`s3://${BUCKET}/${prefix}`, filter);
    const days = ['2024-02-29', '2024-03-01'];
    expect(keys.toSorted()).toEqual(
      keysOf(FILES.filter((file) => file.key.startsWith(prefix) && days.includes(file.day))),
    );
  });

  it('accepts a prefix that ends inside a folder name', async () => {
    const keys = await listKeys(`s3://${BUCKET}/AWSLogs/${ORG}/1111`);
    expect(keys.toSorted()).toEqual(
      keysOf(FILES.filter((file) => file.key.startsWith(`AWSLogs/${ORG}/111111111111/`))),
    );
  });

  it('lists a folder outside the CloudTrail layout as it is', async () => {
    const keys = await listKeys(`s3://${BUCKET}/AWSLogs/${ORG}/111111111111/Config/`);
    expect(keys).toEqual([UNRELATED[3]]);
  });
});

describe('buckets without the layout, and large folders', () => {
  const deep = 'a1/b2/c3/d4/AWSLogs/';
  const flatKeys = [
    `${deep}111111111111/CloudTrail/us-east-1/2024/02/28/111111111111_CloudTrail_us-east-1_20240228T0005Z_0a.json.gz`,
    `${deep}222222222222/CloudTrail/us-east-1/2024/02/28/222222222222_CloudTrail_us-east-1_20240228T0005Z_0b.json.gz`,
    'a1/notes.txt',
    'exports/events-1.json',
    'exports/',
  ];
  const bigDay = 'AWSLogs/222222222222/CloudTrail/us-east-1/2024/02/28/';
  const bigKeys = Array.from(
    { length: 1205 },
    (_, i) =>
      `${bigDay}222222222222_CloudTrail_us-east-1_20240228T0000Z_${String(i).padStart(5, '0')}.json.gz`,
  );
  const otherDay = [
    'AWSLogs/222222222222/CloudTrail/us-east-1/2024/02/27/222222222222_CloudTrail_us-east-1_20240227T0000Z_00000.json.gz',
  ];

  beforeAll(async () => {
    const client = testClient();
    await upload(client, 'flat-bucket', flatKeys);
    await upload(client, 'big-bucket', [...bigKeys, ...otherDay]);
  });

  it('lists everything, filtered key by key, when no AWSLogs/ folder is within reach', async () => {
    const client = testClient();
    const record = recordListRequests(client);
    const keys = await listKeys('s3://flat-bucket', { accounts: ['222222222222'] }, client);
    expect(keys.toSorted()).toEqual([flatKeys[0 + 2], flatKeys[1], flatKeys[3]].toSorted());
    expect(record.requests.filter((request) => request.delimiter === undefined)).toEqual([
      { prefix: '', delimiter: undefined, token: undefined },
    ]);
  });

  it('pages through more than 1000 keys in one day folder', async () => {
    const client = testClient();
    const record = recordListRequests(client);
    const filter = { since: at('2024-02-28T00:00:00Z'), until: at('2024-02-28T01:00:00Z') };
    const keys = await listKeys('s3://big-bucket', filter, client);
    expect(keys.toSorted()).toEqual(bigKeys.toSorted());
    const dayListings = record.requests.filter((request) => request.prefix === bigDay);
    expect(dayListings).toHaveLength(2);
    expect(dayListings[1]?.token).toBeDefined();
    expect((await listKeys('s3://big-bucket')).toSorted()).toEqual([...bigKeys, ...otherDay].toSorted());
  });
});

describe('errors a user can act on', () => {
  it('names a missing bucket and the endpoint', async () => {
    const list = listKeys('s3://no-such-bucket/AWSLogs/');
    await expect(list).rejects.toThrow(SourceError);
    await expect(list).rejects.toThrow(
      `Cannot list s3://no-such-bucket/AWSLogs/: bucket "no-such-bucket" does not exist at ${endpointUrl} (us-east-1)`,
    );
  });

  it('names an unreachable endpoint', async () => {
    const port = await closedPort();
    const list = listKeys(`s3://${BUCKET}/`, {}, testClient(`http://127.0.0.1:${port}`));
    await expect(list).rejects.toThrow(SourceError);
    await expect(list).rejects.toThrow(`S3 at http://127.0.0.1:${port} (us-east-1) is unreachable`);
  });

  it('says which object could not be read', async () => {
    const client = testClient();
    const [object] = await collect(createS3Source({ client, url: `s3://${BUCKET}/legacy/`, filter: {} }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: object?.key }));
    await expect(object?.read()).rejects.toThrow(
      `Cannot read s3://${BUCKET}/${object?.key}: the object was deleted`,
    );
  });

  it('rejects a bad URL or concurrency when the source is created', () => {
    expect(() => createS3Source({ client: testClient(), url: 'my-bucket', filter: {} })).toThrow(SourceError);
    expect(() =>
      createS3Source({ client: testClient(), url: 's3://my-bucket', filter: {}, listConcurrency: 0 }),
    ).toThrow('Expected listConcurrency to be a whole number of at least 1, e.g. 8; found 0');
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
