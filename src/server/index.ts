// `trailwatch serve`'s HTTP server: guards, routing, and the one place errors become JSON responses.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CompiledRule } from '../domain/rule.js';
import { DEFAULT_SESSION_NAME_POLICY, type SessionNamePolicy } from '../identity/session-name.js';
import { createPipelineMetrics, renderMetrics, type PipelineMetrics } from '../pipeline/metrics.js';
import type { Store } from '../storage/port.js';
import { isFileResult, type Deps } from './context.js';
import { badRequest, HttpError } from './http-error.js';
import { METRICS_PATH, serveMetrics } from './metrics.js';
import { matchRoute } from './routes.js';
import {
  checkHost,
  checkStateChange,
  isLoopback,
  isTokenValid,
  ownOrigins,
  SECURITY_HEADERS,
} from './security.js';
import { staticFile } from './static.js';

export { HttpError } from './http-error.js';
export { ROUTES } from './routes.js';

export interface ServerOptions {
  store: Store;
  rules: readonly CompiledRule[];
  host?: string;
  port?: number;
  /** Required unless the host is a loopback address. */
  token?: string | undefined;
  now?: () => number;
  /** Where bugs are reported (the response carries no stack). */
  logError?: (err: unknown) => void;
  /** This process's counters for /metrics (a fresh, zeroed set when the process ingests nothing). */
  metrics?: PipelineMetrics;
  /** The session-name policy ingest checks with (the default policy unless given). */
  policy?: SessionNamePolicy;
  /** Applies a suppression added through the API to the alerts it covers (see Deps). */
  applySuppressions?: () => Promise<void>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Why the server refuses to start; the CLI shows the message. */
export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

const MAX_BODY = 64 * 1024;

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('request body is not valid JSON; expected an object such as {"reason":"benign"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('request body must be a JSON object, e.g. {"reason":"benign"}');
  return value as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token || undefined;
  if (!isLoopback(host) && !token)
    throw new ServerConfigError(
      `refusing to listen on ${host} without a token: anyone who can reach it could read and change alerts. ` +
        `Give one, e.g. trailwatch serve --host ${host} --token "$(openssl rand -hex 32)", or listen on 127.0.0.1`,
    );
  const deps: Deps = {
    store: options.store,
    rules: options.rules,
    now: options.now ?? Date.now,
    policy: options.policy ?? DEFAULT_SESSION_NAME_POLICY,
    applySuppressions: options.applySuppressions,
  };
  const logError =
    options.logError ?? ((err: unknown) => console.error('trailwatch serve: internal error', err));
  let origins = new Set<string>();
  const metrics = options.metrics ?? createPipelineMetrics();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    checkHost(req, origins, token !== undefined);
    if (url.pathname === METRICS_PATH)
      return serveMetrics(req, res, token, () => renderMetrics(deps.store, metrics, deps.now()));
    if (!url.pathname.startsWith('/api/')) {
      const file = req.method === 'GET' || req.method === 'HEAD' ? await staticFile(url.pathname) : null;
      if (!file) throw new HttpError(404, `not found: ${url.pathname}`);
      return send(res, 200, file.body, file.type);
    }
    if (token !== undefined && !isTokenValid(req.headers.authorization, token))
      throw new HttpError(401, 'missing or wrong token: send Authorization: Bearer <token>');
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (match === null) throw new HttpError(404, `unknown API path ${url.pathname} (see /api/openapi.json)`);
    if (match === 'method-not-allowed')
      throw new HttpError(405, `${req.method} not allowed on ${url.pathname}`);
    let body: Record<string, unknown> = {};
    if (match.route.method === 'POST') {
      checkStateChange(req, origins);
      body = await readJsonBody(req);
    }
    const result = await match.route.handler({
      ...deps,
      params: match.params,
      query: url.searchParams,
      body,
    });
    if (isFileResult(result)) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': result.type,
        'Content-Disposition': `attachment; filename="${result.filename}"`,
        'Cache-Control': 'no-store',
      });
      return void res.end(result.body);
    }
    send(res, 200, JSON.stringify(result), 'application/json; charset=utf-8');
  }

  /** The one error handler: expected errors keep their status and message; bugs are 500 without detail. */
  function fail(res: ServerResponse, err: unknown): void {
    const isExpected = err instanceof HttpError;
    if (!isExpected) logError(err);
    const status = isExpected ? err.status : 500;
    const message = isExpected ? err.message : 'internal error (logged by the server; please report it)';
    if (res.headersSent) return void res.destroy();
    send(res, status, JSON.stringify({ error: message }), 'application/json; charset=utf-8');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, err));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origins = ownOrigins(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
