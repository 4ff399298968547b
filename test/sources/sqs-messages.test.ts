// Every shape of notification an SQS queue receives for new CloudTrail files.
import { describe, expect, it } from 'vitest';
import { parseAnnouncement } from '../../src/sources/notifications.js';

const KEY =
  'AWSLogs/o-abc123defg/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1205Z_abc.json.gz';
const s3Event = {
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: 'org-trail' },
        object: {
          key: KEY.replace('T1205Z', 'T1205Z+copy').replace(/:/g, '%3A'),
          size: 1234,
          eTag: '0123abcd',
        },
      },
    },
  ],
};
const expected = {
  bucket: 'org-trail',
  key: KEY.replace('T1205Z', 'T1205Z copy'),
  etag: '0123abcd',
  size: 1234,
};

describe('parseAnnouncement', () => {
  it('reads S3 events sent straight to SQS, and decodes their keys', () => {
    expect(parseAnnouncement(JSON.stringify(s3Event))).toEqual({ kind: 'objects', objects: [expected] });
  });

  it('reads S3 events through SNS, raw and wrapped', () => {
    const wrapped = {
      Type: 'Notification',
      MessageId: 'm',
      TopicArn: 'arn:aws:sns:us-east-1:1:t',
      Message: JSON.stringify(s3Event),
    };
    expect(parseAnnouncement(JSON.stringify(wrapped))).toEqual({ kind: 'objects', objects: [expected] });
  });

  it("reads CloudTrail's own SNS notices with several keys", () => {
    const notice = { s3Bucket: 'org-trail', s3ObjectKey: [KEY, KEY.replace('abc', 'def')] };
    const wrapped = { Type: 'Notification', Message: JSON.stringify(notice) };
    const r = parseAnnouncement(JSON.stringify(wrapped));
    expect(r).toEqual({
      kind: 'objects',
      objects: [
        { bucket: 'org-trail', key: KEY, etag: null, size: null },
        { bucket: 'org-trail', key: KEY.replace('abc', 'def'), etag: null, size: null },
      ],
    });
    expect(parseAnnouncement(JSON.stringify(notice))).toEqual(r);
  });

  it("recognises S3's test event and rejects what is not a notification", () => {
    expect(
      parseAnnouncement(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'org-trail' })),
    ).toEqual({ kind: 'test' });
    expect(parseAnnouncement('not json')).toMatchObject({ kind: 'invalid' });
    expect(parseAnnouncement(JSON.stringify({ hello: 'world' }))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('hello') as string,
    });
    const deletion = {
      Records: [{ eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'k' } } }],
    };
    expect(parseAnnouncement(JSON.stringify(deletion))).toMatchObject({ kind: 'invalid' });
  });
});
