// GET /metrics (Prometheus): on `serve`'s server, and alone on its own port for `watch --metrics-port`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { HttpError } from './http-error.js';
import { checkHost, isLoopback, isTokenValid, ownOrigins, SECURITY_HEADERS } from './security.js';

export const METRICS_PATH = '/metrics';

/**
 * Answers a scrape under the API's rules: with a token configured, `Authorization: Bearer <token>`
 * is required (Prometheus: `authorization: { credentials: … }`); the caller checked the Host.
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
  render: () => Promise<string>,
): Promise<void> {
  if (token !== undefined && !isTokenValid(req.headers.authorization, token))
    throw new HttpError(401, 'missing or wrong token: send Authorization: Bearer <token>');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new HttpError(405, `${req.method} not allowed on ${METRICS_PATH}`);
  const body = await render();
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': EXPOSITION_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** Required unless the host is a loopback address. */
  token: string | undefined;
  render: () => Promise<string>;
  logError: (err: unknown) => void;
}

/** A server with only /metrics (for `watch`, which has no UI). */
export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const { host, token } = options;
  if (!isLoopback(host) && !token)
    throw new HttpError(
      400,
      `refusing to serve metrics on ${host} without a token: give one (--metrics-token or TRAILWATCH_TOKEN), or use 127.0.0.1`,
    );
  let origins = new Set<string>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkHost(req, origins, token !== undefined);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== METRICS_PATH)
      throw new HttpError(404, `not found: ${pathname} (metrics are at ${METRICS_PATH})`);
    await serveMetrics(req, res, token, options.render);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const isExpected = err instanceof HttpError;
      if (!isExpected) options.logError(err);
      if (res.headersSent) return void res.destroy();
      res.writeHead(isExpected ? err.status : 500, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/plain; charset=utf-8',
      });
      res.end(isExpected ? `${err.message}\n` : 'internal error (logged)\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origins = ownOrigins(host, port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
