// What an SQS message announces: S3 object-created events (direct, through SNS raw or wrapped),
// CloudTrail's own SNS delivery notices (several keys each), or S3's test event. Pure.

export interface AnnouncedObject {
  bucket: string;
  key: string;
  etag: string | null;
  size: number | null;
}

export type Announcement =
  { kind: 'objects'; objects: AnnouncedObject[] } | { kind: 'test' } | { kind: 'invalid'; reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** S3 event keys are URL-encoded, with '+' for spaces. */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

function fromValue(v: unknown, depth: number): Announcement {
  if (!isObj(v)) return { kind: 'invalid', reason: 'the message body is not a JSON object' };
  // S3 -> SNS -> SQS without raw delivery: the S3 event (or CloudTrail's notice) is in `Message`.
  if (v.Type === 'Notification' && typeof v.Message === 'string' && depth < 2) {
    const inner = parseJson(v.Message);
    return inner === undefined
      ? { kind: 'invalid', reason: 'the SNS Message is not JSON' }
      : fromValue(inner, depth + 1);
  }
  if (v.Event === 's3:TestEvent') return { kind: 'test' };
  // CloudTrail's SNS notice: one bucket, several keys.
  if (typeof v.s3Bucket === 'string' && Array.isArray(v.s3ObjectKey)) {
    const bucket = v.s3Bucket;
    return {
      kind: 'objects',
      objects: v.s3ObjectKey
        .filter((k): k is string => typeof k === 'string')
        .map((key) => ({ bucket, key, etag: null, size: null })),
    };
  }
  if (Array.isArray(v.Records)) {
    const objects: AnnouncedObject[] = [];
    for (const r of v.Records) {
      if (!isObj(r) || !isObj(r.s3)) continue;
      if (typeof r.eventName === 'string' && !r.eventName.startsWith('ObjectCreated')) continue;
      const bucket = isObj(r.s3.bucket) && typeof r.s3.bucket.name === 'string' ? r.s3.bucket.name : null;
      const o = isObj(r.s3.object) ? r.s3.object : null;
      if (!bucket || !o || typeof o.key !== 'string') continue;
      objects.push({
        bucket,
        key: decodeKey(o.key),
        etag: typeof o.eTag === 'string' ? o.eTag.replace(/"/g, '') : null,
        size: typeof o.size === 'number' ? o.size : null,
      });
    }
    return objects.length || v.Records.length === 0
      ? { kind: 'objects', objects }
      : { kind: 'invalid', reason: 'no S3 object-created record in the message' };
  }
  return {
    kind: 'invalid',
    reason: `not an S3 or CloudTrail notification (keys: ${Object.keys(v).slice(0, 6).join(', ')})`,
  };
}

export function parseAnnouncement(body: string): Announcement {
  const v = parseJson(body);
  return v === undefined ? { kind: 'invalid', reason: 'the message body is not JSON' } : fromValue(v, 0);
}
