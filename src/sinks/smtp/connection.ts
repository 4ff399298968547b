// One SMTP connection (RFC 5321): reads multi-line replies, sends commands one at a time, upgrades to TLS.
import net from 'node:net';
import tls from 'node:tls';
import { errorCode, isPermanentNetworkError } from '../network.js';

export interface SmtpReply {
  code: number;
  /** The text of each line, without the code: `250-SIZE 1000` → `SIZE 1000`. */
  lines: string[];
}

/** Why the conversation stopped: the socket failed, the deadline passed, or the server stopped speaking SMTP. */
export class SmtpConnectionError extends Error {
  override readonly name = 'SmtpConnectionError';
  constructor(
    message: string,
    readonly isRetryable: boolean,
  ) {
    super(message);
  }
}

/** A connection with one reader; a stateful adapter, hence a class. */
export class SmtpConnection {
  private buffer = '';
  private lines: string[] = [];
  private replies: SmtpReply[] = [];
  private waiter: { resolve: (reply: SmtpReply) => void; reject: (error: Error) => void } | null = null;
  private failure: SmtpConnectionError | null = null;
  private readonly onData = (chunk: string): void => this.receive(chunk);
  private readonly onError = (error: Error): void => this.fail(describeSocketError(error));
  private readonly onClose = (): void =>
    this.fail(new SmtpConnectionError('the server closed the connection', true));

  private constructor(
    private socket: net.Socket,
    private readonly ca: string | undefined,
  ) {
    this.attach(socket);
  }

  /**
   * Connects (in TLS from the first byte when `secure`); the greeting is the first reply to read.
   * When `signal` aborts (the deadline), connecting and every read fail with its reason.
   */
  static open(options: {
    host: string;
    port: number;
    secure: boolean;
    /** Certificates to trust besides the system's (PEM). */
    ca: string | undefined;
    signal: AbortSignal;
  }): Promise<SmtpConnection> {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      const socket = options.secure
        ? tls.connect({ host: options.host, port: options.port, ...tlsOptions(options.host, options.ca) })
        : net.connect({ host: options.host, port: options.port });
      const aborted = (): void => {
        socket.destroy();
        reject(abortReason(signal));
      };
      const failed = (error: Error): void => {
        signal.removeEventListener('abort', aborted);
        reject(describeSocketError(error));
      };
      socket.once(options.secure ? 'secureConnect' : 'connect', () => {
        socket.off('error', failed);
        signal.removeEventListener('abort', aborted);
        const connection = new SmtpConnection(socket, options.ca);
        signal.addEventListener('abort', () => connection.destroy(abortReason(signal)), { once: true });
        resolve(connection);
      });
      socket.once('error', failed);
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /** The next reply, waiting for it if needed. */
  read(): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Sends one line (CRLF added) and reads the reply. */
  async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  /** Sends raw text (the dot-stuffed message and its terminating `.`) and reads the reply. */
  async send(text: string): Promise<SmtpReply> {
    this.write(text);
    return this.read();
  }

  /** After the server's 220 to STARTTLS: continues the conversation over TLS, verifying the certificate. */
  async upgrade(host: string): Promise<void> {
    // Anything the server sent after its 220 was sent in the clear and could be injected: refuse it.
    if (this.buffer !== '' || this.lines.length || this.replies.length)
      throw new SmtpConnectionError('the server sent data after accepting STARTTLS', false);
    const plain = this.socket;
    // The plain socket keeps its error and close handlers: its failures are this connection's too.
    plain.off('data', this.onData);
    const secure = tls.connect({ socket: plain, ...tlsOptions(host, this.ca) });
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => reject(describeSocketError(error));
      const closed = (): void =>
        reject(
          this.failure ?? new SmtpConnectionError('the connection closed during the TLS handshake', true),
        );
      secure.once('error', failed);
      secure.once('close', closed);
      secure.once('secureConnect', () => {
        secure.off('error', failed);
        secure.off('close', closed);
        resolve();
      });
    });
    this.attach(secure);
  }

  /** Ends the conversation (after QUIT): later socket events are ignored. */
  close(): void {
    this.fail(new SmtpConnectionError('the connection was closed', false));
    this.socket.destroy();
  }

  /** Stops everything: pending and later reads fail with `error`. */
  destroy(error: SmtpConnectionError): void {
    this.fail(error);
    this.socket.destroy();
  }

  private write(text: string): void {
    if (this.failure) return;
    this.socket.write(text, 'utf8');
  }

  private attach(socket: net.Socket): void {
    // One small command per round trip: waiting to coalesce writes (Nagle) only adds latency.
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      const match = /^(\d{3})(?:([ -])(.*))?$/.exec(line);
      if (!match) {
        this.destroy(
          new SmtpConnectionError(`not an SMTP reply: ${JSON.stringify(line.slice(0, 100))}`, false),
        );
        return;
      }
      this.lines.push(match[3] ?? '');
      if (match[2] === '-') continue;
      const reply = { code: Number(match[1]), lines: this.lines };
      this.lines = [];
      if (this.waiter) {
        this.waiter.resolve(reply);
        this.waiter = null;
      } else {
        this.replies.push(reply);
      }
    }
    if (this.buffer.length > 64 * 1024)
      this.destroy(new SmtpConnectionError('the server sent a reply line longer than 64 KiB', false));
  }

  private fail(error: SmtpConnectionError): void {
    this.failure ??= error;
    this.waiter?.reject(this.failure);
    this.waiter = null;
  }
}

function abortReason(signal: AbortSignal): SmtpConnectionError {
  const reason: unknown = signal.reason;
  return reason instanceof SmtpConnectionError ? reason : new SmtpConnectionError('timed out', true);
}

/** The certificate is checked against the host (SNI takes host names only, not addresses) and the CAs. */
function tlsOptions(host: string, ca: string | undefined): tls.ConnectionOptions {
  return {
    ...(net.isIP(host) ? {} : { servername: host }),
    ...(ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] }),
  };
}

/** Network failures are worth retrying; certificate and TLS handshake problems are not. */
function describeSocketError(error: Error): SmtpConnectionError {
  const code = errorCode(error);
  return new SmtpConnectionError(
    code === null ? error.message : `${code}: ${error.message}`,
    !isPermanentNetworkError(error),
  );
}
