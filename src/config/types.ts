// The configuration file (trailwatch.yml) as the program sees it, after validation and secret resolution.
import type { RetryConfig, RouteConfig } from '../domain/notification.js';

export type { RetryConfig, RouteConfig } from '../domain/notification.js';

/** A destination as written: `type` plus its fields; secrets already resolved. */
export interface DestinationEntry {
  name: string;
  type: string;
  fields: Record<string, unknown>;
}

export interface Config {
  file: string | null;
  store: string | null;
  rules: string[] | null;
  lists: Map<string, string[]>;
  sessionNamePolicy: string | null;
  uiBaseUrl: string | null;
  destinations: DestinationEntry[];
  routes: RouteConfig[];
  retry: RetryConfig;
  /** Retention: events older than now minus this (ms) are deleted; null keeps everything. */
  retainMs: number | null;
}

export const DEFAULT_RETRY: RetryConfig = { maxAttempts: 8, initialDelayMs: 30_000, maxDelayMs: 3_600_000 };

export function emptyConfig(): Config {
  return {
    file: null,
    store: null,
    rules: null,
    lists: new Map(),
    sessionNamePolicy: null,
    uiBaseUrl: null,
    destinations: [],
    routes: [],
    retry: DEFAULT_RETRY,
    retainMs: null,
  };
}
