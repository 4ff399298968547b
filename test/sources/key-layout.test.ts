// Unit tests for the CloudTrail key layout helpers and for parsing s3:// URLs.
import { describe, expect, it } from 'vitest';
import {
  dayOf,
  deliveryDayRange,
  deliveryDays,
  keyMatchesFilter,
  parseKeyLayout,
} from '../../src/sources/key-layout.js';
import { SourceError } from '../../src/sources/port.js';
import { parseS3Url } from '../../src/sources/s3/url.js';

const FILE = '111122223333_CloudTrail_us-east-1_20240229T0005Z_a1b2c3d4.json.gz';
const at = (iso: string): number => Date.parse(iso);

describe('parseKeyLayout', () => {
  it('reads a key without an organization', () => {
    expect(parseKeyLayout(`AWSLogs/111122223333/CloudTrail/us-east-1/2024/02/29/${FILE}`)).toEqual({
      prefix: '',
      orgId: null,
      account: '111122223333',
      folder: 'CloudTrail',
      region: 'us-east-1',
      day: '2024-02-29',
    });
  });

  it('reads the organization segment and a custom prefix', () => {
    expect(
      parseKeyLayout(`legacy/trails/AWSLogs/o-abc123defg/111122223333/CloudTrail/eu-west-1/2024/03/01/x`),
    ).toEqual({
      prefix: 'legacy/trails/',
      orgId: 'o-abc123defg',
      account: '111122223333',
      folder: 'CloudTrail',
      region: 'eu-west-1',
      day: '2024-03-01',
    });
  });

  it('recognises the Insight and Digest folders', () => {
    const insight = parseKeyLayout('AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/02/28/i.json.gz');
    const digest = parseKeyLayout(
      'AWSLogs/o-abc123defg/111122223333/CloudTrail-Digest/ap-southeast-2/2024/02/28/d.json.gz',
    );
    expect(insight?.folder).toBe('CloudTrail-Insight');
    expect(digest).toMatchObject({
      folder: 'CloudTrail-Digest',
      orgId: 'o-abc123defg',
      region: 'ap-southeast-2',
    });
  });

  it('reads Windows paths', () => {
    expect(
      parseKeyLayout(`C:\\logs\\AWSLogs\\111122223333\\CloudTrail\\us-east-1\\2024\\02\\29\\${FILE}`),
    ).toMatchObject({
      prefix: 'C:/logs/',
      account: '111122223333',
      day: '2024-02-29',
    });
  });

  it.each([
    ['another service under AWSLogs', 'AWSLogs/111122223333/Config/us-east-1/2024/02/29/config.json.gz'],
    ['an unrelated key', 'readme.txt'],
    ['an 11-digit account', `AWSLogs/11112222333/CloudTrail/us-east-1/2024/02/29/${FILE}`],
    ['a month folder, not a day folder', 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/02/'],
    ['no AWSLogs folder', `111122223333/CloudTrail/us-east-1/2024/02/29/${FILE}`],
  ])('returns null for %s', (_name, key) => {
    expect(parseKeyLayout(key)).toBeNull();
  });
});

describe('keyMatchesFilter', () => {
  const key = (account: string, region: string, day: string): string =>
    `AWSLogs/o-abc123defg/${account}/CloudTrail/${region}/${day.replaceAll('-', '/')}/${FILE}`;

  it('passes keys outside the layout whatever the filter', () => {
    const filter = { accounts: ['999999999999'], regions: ['eu-north-1'], since: at('2030-01-01T00:00:00Z') };
    expect(keyMatchesFilter('exports/events.json', filter)).toBe(true);
  });

  it('filters by account and region', () => {
    const filter = { accounts: ['111122223333'], regions: ['us-east-1', 'eu-west-1'] };
    expect(keyMatchesFilter(key('111122223333', 'eu-west-1', '2024-02-29'), filter)).toBe(true);
    expect(keyMatchesFilter(key('444455556666', 'eu-west-1', '2024-02-29'), filter)).toBe(false);
    expect(keyMatchesFilter(key('111122223333', 'ap-southeast-2', '2024-02-29'), filter)).toBe(false);
    expect(
      keyMatchesFilter(key('111122223333', 'ap-southeast-2', '2024-02-29'), { accounts: [], regions: [] }),
    ).toBe(true);
  });

  it('keeps the delivery days from the day of since to the day after until', () => {
    const filter = { since: at('2024-02-29T00:00:00Z'), until: at('2024-02-29T12:00:00Z') };
    const days = ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02'];
    const kept = days.filter((day) => keyMatchesFilter(key('111122223333', 'us-east-1', day), filter));
    expect(kept).toEqual(['2024-02-29', '2024-03-01']);
  });

  it('accepts a one-sided time range', () => {
    const days = ['2024-02-28', '2024-02-29', '2024-03-01'];
    const matching = (filter: { since?: number; until?: number }): string[] =>
      days.filter((day) => keyMatchesFilter(key('111122223333', 'us-east-1', day), filter));
    expect(matching({ since: at('2024-02-29T23:59:59Z') })).toEqual(['2024-02-29', '2024-03-01']);
    expect(matching({ until: at('2024-02-27T23:59:59Z') })).toEqual(['2024-02-28']);
  });
});

describe('deliveryDays and deliveryDayRange', () => {
  it('cross a leap-year month end and include the day after until', () => {
    expect(deliveryDays(at('2024-02-28T23:00:00Z'), at('2024-03-01T01:00:00Z'))).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
      '2024-03-02',
    ]);
  });

  it('cross a non-leap February and a year end', () => {
    expect(deliveryDays(at('2023-02-28T10:00:00Z'), at('2023-02-28T11:00:00Z'))).toEqual([
      '2023-02-28',
      '2023-03-01',
    ]);
    expect(deliveryDays(at('2024-12-31T00:00:00Z'), at('2024-12-31T23:59:59.999Z'))).toEqual([
      '2024-12-31',
      '2025-01-01',
    ]);
  });

  it('agree on the first and last day, with open ends as null', () => {
    const since = at('2024-01-30T05:00:00Z');
    const until = at('2024-02-02T05:00:00Z');
    const days = deliveryDays(since, until);
    expect(deliveryDayRange({ since, until })).toEqual({ first: days[0], last: days.at(-1) });
    expect(deliveryDayRange({ since })).toEqual({ first: '2024-01-30', last: null });
    expect(deliveryDayRange({})).toEqual({ first: null, last: null });
    expect(dayOf(until)).toBe('2024-02-02');
  });
});

describe('parseS3Url', () => {
  it.each([
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    [
      's3://logs.example.com/AWSLogs/o-abc123defg/',
      { bucket: 'logs.example.com', prefix: 'AWSLogs/o-abc123defg/' },
    ],
    ['s3://my-bucket/custom/prefix', { bucket: 'my-bucket', prefix: 'custom/prefix' }],
  ])('parses %s', (url, expected) => {
    expect(parseS3Url(url)).toEqual(expected);
  });

  it.each([
    ['', /Expected an S3 URL like s3:\/\/my-cloudtrail-bucket\/AWSLogs\/, found ""/],
    ['my-bucket/AWSLogs', /without the s3:\/\/ scheme; did you mean s3:\/\/my-bucket\/AWSLogs\?/],
    ['https://my-bucket.s3.amazonaws.com/AWSLogs/', /found the HTTP URL .*as s3:\/\/bucket\/prefix/],
    ['arn:aws:s3:::my-bucket/AWSLogs/', /found the ARN .*write it as s3:\/\/my-bucket\/AWSLogs\//],
    ['S3://my-bucket', /lowercase s3:\/\//],
    [
      'gs://my-bucket',
      /Expected an S3 URL like s3:\/\/my-cloudtrail-bucket\/AWSLogs\/, found "gs:\/\/my-bucket"/,
    ],
    ['s3://', /Expected a bucket name after s3:\/\/ in "s3:\/\/"/],
    ['s3:///AWSLogs/', /Expected a bucket name after s3:\/\//],
    ['s3://My_Bucket/logs', /3 to 63 lowercase letters.*found "My_Bucket"/],
    ['s3://ab', /found "ab"/],
  ])('rejects %j with a message showing what was expected', (url, message) => {
    expect(() => parseS3Url(url)).toThrow(SourceError);
    expect(() => parseS3Url(url)).toThrow(message);
  });
});
