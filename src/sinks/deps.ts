// What sinks are given rather than reach for: the HTTP client, the clock and the console's writer.

/** The part of `fetch` the HTTP sinks use; tests and proxies can pass their own. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface SinkDeps {
  /** HTTP client of the webhook, Slack and PagerDuty sinks; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch, for `sentAt`, signatures and e-mail dates; defaults to Date.now. */
  now?: () => number;
  /** Where the console sink writes its lines; defaults to standard error. */
  write?: (text: string) => void;
}

/** Every dependency, defaults filled in. */
export interface ResolvedDeps {
  fetch: FetchLike;
  now: () => number;
  write: (text: string) => void;
}

export function resolveDeps(deps: SinkDeps = {}): ResolvedDeps {
  return {
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
    now: deps.now ?? Date.now,
    write:
      deps.write ??
      ((text) => {
        process.stderr.write(text);
      }),
  };
}
