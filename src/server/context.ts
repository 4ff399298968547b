// What every route handler receives: the store, the rules, the clock and the parsed request.
import type { CompiledRule } from '../domain/rule.js';
import type { SessionNamePolicy } from '../identity/session-name.js';
import type { Store } from '../storage/port.js';

export interface Deps {
  store: Store;
  rules: readonly CompiledRule[];
  now: () => number;
  /** The session-name policy the events' `sessionNameCheck` is shown under (ingest's, from the configuration). */
  policy: SessionNamePolicy;
  /**
   * Decides the alerts a new suppression covers now (evaluation); absent where a watcher beside the
   * server evaluates them at its next turn.
   */
  applySuppressions?: (() => Promise<void>) | undefined;
}

export interface RequestContext extends Deps {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body of a POST (an object), else an empty object. */
  body: Record<string, unknown>;
}

export type Handler = (ctx: RequestContext) => Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST';
  /** OpenAPI-style path, `{name}` for a parameter; the OpenAPI document lists the same strings. */
  path: string;
  handler: Handler;
}

/** A response that is a download rather than JSON (the event export). */
export interface FileResult {
  kind: 'file';
  body: string;
  type: string;
  filename: string;
}

export const isFileResult = (v: unknown): v is FileResult =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'file';
