// SMTP sink: one e-mail per notification over a fresh connection, STARTTLS and AUTH when configured.
import { hostname } from 'node:os';
import { alertFields } from '../alert-fields.js';
import { resolveDeps, type SinkDeps } from '../deps.js';
import { SinkError, type Notification, type Sink } from '../port.js';
import { oneLine, plainText } from '../text.js';
import { SmtpConnection, SmtpConnectionError } from './connection.js';
import { buildMessage, dotStuff } from './message.js';
import { converse } from './session.js';

export interface SmtpDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'smtp';
  /** The mail server (relay or submission server), e.g. smtp.example.com. */
  host: string;
  /** Its port; defaults to 465 with `tls: 'tls'`, 587 with `'starttls'` and 25 with `'none'`. */
  port?: number;
  /** Sender address, envelope and From header, e.g. trailwatch@example.com. */
  from: string;
  /** Recipient address(es); a message goes to all of them or (on any refusal) to none. */
  to: string | string[];
  /** Login for AUTH PLAIN or LOGIN; without it no AUTH is attempted. */
  username?: string;
  /** Password for `username`: a secret, never shown in messages. */
  password?: string;
  /** `starttls` (default): upgrade, refusing servers that cannot; `tls`: TLS from the start; `none`: plain text. */
  tls?: 'none' | 'starttls' | 'tls';
  /** Deadline for the whole conversation, in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Certificates (PEM) to trust besides the system's, for a relay with a private CA. */
  ca?: string;
  /** The name this client gives in EHLO (default: this machine's host name). */
  clientName?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PORTS = { tls: 465, starttls: 587, none: 25 } as const;
/** Plain addresses only: no display names, spaces, brackets or line breaks that could smuggle commands. */
const ADDRESS = /^[!#-'*+\-/-9=?A-Z^-~.]+@[A-Za-z0-9.-]+$/;

/** `n-1/a` → `n-1=2Fa`: an id-left part (RFC 5322) that maps distinct notification ids to distinct ids. */
export function messageIdFor(notificationId: string): string {
  const left = [...Buffer.from(notificationId, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
  return `${left}@trailwatch`;
}

export function createSmtpSink(config: SmtpDestination, deps: SinkDeps = {}): Sink {
  const { now } = resolveDeps(deps);
  const tlsMode = config.tls ?? 'starttls';
  const port = config.port ?? DEFAULT_PORTS[tlsMode];
  const target = `SMTP "${config.name}" (${config.host}:${port})`;
  const to = typeof config.to === 'string' ? [config.to] : config.to;
  for (const address of [config.from, ...to])
    if (!ADDRESS.test(address))
      throw new SinkError(
        `${target}: ${JSON.stringify(address)} is not a plain address like alerts@example.com.`,
        false,
      );
  if (!to.length) throw new SinkError(`${target}: 'to' lists no recipient.`, false);
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clientName = config.clientName ?? (hostname() || 'localhost');

  return {
    name: config.name,
    type: 'smtp',
    async send(notification: Notification) {
      const f = alertFields(notification.alert);
      const message = buildMessage({
        from: config.from,
        to,
        subject: `[Trailwatch ${oneLine(f.severity)}] ${oneLine(f.title)}`,
        text: plainText(notification),
        messageId: messageIdFor(notification.id),
        date: new Date(now()),
        headers: { 'X-Trailwatch-Id': notification.id },
      });
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new SmtpConnectionError(`no answer within ${timeoutMs} ms`, true)),
        timeoutMs,
      );
      let connection: SmtpConnection | null = null;
      try {
        connection = await SmtpConnection.open({
          host: config.host,
          port,
          secure: tlsMode === 'tls',
          ca: config.ca,
          signal: controller.signal,
        });
        await converse(connection, { ...config, to, tls: tlsMode, clientName }, dotStuff(message));
      } catch (error) {
        if (error instanceof SinkError) throw new SinkError(`${target}: ${error.message}`, error.isRetryable);
        if (error instanceof SmtpConnectionError)
          throw new SinkError(`${target}: ${error.message}.`, error.isRetryable);
        throw error;
      } finally {
        clearTimeout(timer);
        connection?.close();
      }
    },
  };
}
