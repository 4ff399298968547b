// Request guards: security headers, bearer token (constant time), same-origin JSON for state changes, Host check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]', '::1'];

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host);
}

/** Hashing first gives equal lengths, so the comparison takes the same time whatever the guess. */
export function isTokenValid(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

/** The origins the UI itself is served from: the bound address and, on loopback, its aliases. */
export function ownOrigins(host: string, port: number): Set<string> {
  const hosts = isLoopback(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host];
  return new Set(hosts.map((h) => `http://${h}:${port}`));
}

/**
 * Without a token the server trusts only loopback Host headers, so a page on another site whose name
 * is re-pointed at 127.0.0.1 (DNS rebinding) cannot read the API.
 */
export function checkHost(req: IncomingMessage, origins: ReadonlySet<string>, hasToken: boolean): void {
  if (hasToken) return;
  if (!origins.has(`http://${req.headers.host ?? ''}`))
    throw new HttpError(403, `unexpected Host header ${JSON.stringify(req.headers.host ?? '')}`);
}

/** State changes must be JSON (a cross-site form cannot send it) and, if the browser says, same-origin. */
export function checkStateChange(req: IncomingMessage, origins: ReadonlySet<string>): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !origins.has(origin) && origin !== `http://${req.headers.host ?? ''}`)
    throw new HttpError(403, `cross-origin request refused (Origin ${origin})`);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, 'expected Content-Type: application/json, e.g. {"reason":"benign"}');
}
