// The event history source's public API.
export { createCloudTrailClient, type CloudTrailClientOptions } from './client.js';
export type { ErrorContext } from './errors.js';
export { createCloudTrailSource, historyLimiter, type CloudTrailSourceOptions } from './source.js';
export type { RateLimiter } from './rate.js';
export { isCloudTrailUrl, parseCloudTrailUrl, type CloudTrailLocation } from './url.js';
export {
  listPublicKeys,
  publicKeysLimiter,
  type ListPublicKeysOptions,
  type RegionPublicKey,
} from './public-keys.js';
