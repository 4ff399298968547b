// Parsing `s3://bucket[/prefix]` source URLs, with messages that say what was expected and show an example.
import { SourceError } from '../port.js';

export interface S3Location {
  bucket: string;
  /** The key prefix exactly as written after `bucket/`, possibly empty. */
  prefix: string;
}

const EXAMPLE = 's3://my-cloudtrail-bucket/AWSLogs/';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket` or `s3://bucket/prefix`; throws a SourceError for anything else. */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(url);
  if (!match) throw new SourceError(describeNonS3Url(url));
  const [, bucket = '', prefix = ''] = match;
  if (bucket === '') {
    throw new SourceError(`Expected a bucket name after s3:// in "${url}", e.g. ${EXAMPLE}`);
  }
  if (!BUCKET_NAME.test(bucket)) {
    throw new SourceError(
      `Expected a bucket name of 3 to 63 lowercase letters, digits, dots and hyphens (starting and ending ` +
        `with a letter or digit), found "${bucket}" in "${url}"; e.g. ${EXAMPLE}`,
    );
  }
  return { bucket, prefix };
}

function describeNonS3Url(url: string): string {
  const expected = `Expected an S3 URL like ${EXAMPLE}`;
  const arn = /^arn:aws[a-z-]*:s3:::(.+)$/.exec(url);
  if (arn) return `${expected}, found the ARN "${url}"; write it as s3://${arn[1]}`;
  if (/^https?:\/\//i.test(url)) {
    return `${expected}, found the HTTP URL "${url}"; give the bucket and prefix as s3://bucket/prefix and a custom S3 endpoint separately`;
  }
  if (/^s3:\/\//i.test(url)) return `${expected} (lowercase s3://), found "${url}"`;
  if (!url.includes(':'))
    return `${expected}, found "${url}" without the s3:// scheme; did you mean s3://${url}?`;
  return `${expected}, found "${url}"`;
}
