// The S3 source's public API: URL parsing, client creation, and the Source itself.
export { createS3Client, FALLBACK_REGION, type S3ClientOptions } from './client.js';
export { createS3Source, type S3SourceOptions } from './source.js';
export { parseS3Url, type S3Location } from './url.js';
