// One HTTP POST for the webhook, Slack and PagerDuty sinks: a deadline, and which failures are worth retrying.
import type { FetchLike } from './deps.js';
import { errorCode, isPermanentNetworkError } from './network.js';
import { SinkError } from './port.js';
import { scrub } from './redact.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

export interface HttpPost {
  /** Names the destination in messages, secrets already redacted: `webhook "ops" (https://hooks.example.com/alerts)`. */
  target: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: FetchLike;
  /** Values that must never appear in an error message: secrets, and the full URL. */
  secrets: readonly (string | undefined)[];
}

/** Timeouts, too-early, rate limits and server errors pass; other 4xx answers will not change on retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Posts and returns the (2xx) status; throws a SinkError for anything else, a timeout or a network error. */
export async function post(request: HttpPost): Promise<number> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  const fail = (what: string, isRetryable: boolean): SinkError =>
    new SinkError(`Cannot deliver to ${request.target}: ${scrub(what, request.secrets)}`, isRetryable);
  try {
    let response: Response;
    try {
      response = await request.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        // A redirect would carry the signed body elsewhere, and fetch turns a redirected POST into a GET.
        redirect: 'manual',
      });
    } catch (error) {
      if (controller.signal.aborted) throw fail(`no answer within ${request.timeoutMs} ms.`, true);
      // fetch rejects network failures as `TypeError: fetch failed` with a cause; a TypeError without
      // one means the request itself could not be made (a bad header value), which retrying cannot fix.
      const cause = error instanceof Error ? error.cause : undefined;
      const isUnsendable = error instanceof TypeError && cause === undefined;
      throw fail(
        `the request failed (${describeFailure(error)}).`,
        !isUnsendable && !isPermanentNetworkError(cause),
      );
    }
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return response.status;
    }
    const start = await readStart(response).catch(() => '');
    const said = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (response.status >= 300 && response.status < 400)
      throw fail(`${said}: the URL redirects elsewhere; configure the final URL.`, false);
    throw fail(`${said}${start ? `: ${start}` : ''}`, isRetryableStatus(response.status));
  } finally {
    clearTimeout(timer);
  }
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9` from fetch's `TypeError: fetch failed` and its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = errorCode(cause);
    return code === null ? cause.message : `${code}: ${cause.message}`;
  }
  return `${error.name}: ${error.message}`;
}

/** The first 200 characters of a response body, whitespace collapsed, reading at most 4 KiB of it. */
async function readStart(response: Response): Promise<string> {
  const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < 4096) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export interface HttpEndpoint {
  /** The URL without credentials: fetch refuses URLs that carry them. */
  url: string;
  /** `Basic …` from the URL's `user:password@`, when it had them. */
  authorization: string | null;
}

/** Checks a configured URL at creation, and turns its credentials (if any) into an Authorization header. */
export function httpEndpoint(url: string, target: string): HttpEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SinkError(
      `${target}: the URL is not valid; expected e.g. https://hooks.example.com/alerts.`,
      false,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new SinkError(`${target}: expected an http or https URL, found ${parsed.protocol}`, false);
  if (!parsed.username && !parsed.password) return { url, authorization: null };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.href,
    authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
  };
}
