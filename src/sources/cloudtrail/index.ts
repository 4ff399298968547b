// The event history source's public API.
export { createCloudTrailClient, type CloudTrailClientOptions } from './client.js';
export { createCloudTrailSource, type CloudTrailSourceOptions } from './source.js';
export { isCloudTrailUrl, parseCloudTrailUrl, type CloudTrailLocation } from './url.js';
