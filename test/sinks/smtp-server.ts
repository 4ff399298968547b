// A real minimal SMTP server on 127.0.0.1 (node:net): greets, answers EHLO with 250- lines, records MAIL,
// RCPT, AUTH and DATA (until the lone `.` line), and answers each step as a test tells it to.
import net from 'node:net';
import tls from 'node:tls';
import { TEST_CERT, TEST_KEY } from './tls-fixture.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The DATA exactly as it arrived (still dot-stuffed), without the terminating `.` line. */
  raw: string;
  /** The AUTH command line(s), e.g. `AUTH PLAIN AHR3AHBhc3M=`; empty when none. */
  auth: string[];
}

export interface SmtpScript {
  /** Lines after the first of the EHLO reply (default AUTH PLAIN LOGIN, 8BITMIME, SIZE). */
  extensions?: string[];
  /** Replies that replace the usual one, by step: `MAIL`, `RCPT`, `DATA`, `MESSAGE` (after the data), `AUTH`. */
  replies?: Partial<Record<'MAIL' | 'RCPT' | 'DATA' | 'MESSAGE' | 'AUTH', string>>;
  /** Accept the connection but never greet. */
  isSilent?: boolean;
  /** Offer STARTTLS (with the test certificate) and upgrade when asked. */
  hasStartTls?: boolean;
}

export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** Every command line received, in order (AUTH arguments included); `[tls]` marks the upgrade. */
  commands: string[];
  script(next: SmtpScript): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_EXTENSIONS = ['AUTH PLAIN LOGIN', '8BITMIME', 'SIZE 10485760'];

/** `implicitTls`: TLS from the first byte (port 465 style), with the test certificate. */
export async function startSmtpServer(options: { implicitTls?: boolean } = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const commands: string[] = [];
  let current: SmtpScript = {};
  const sockets = new Set<net.Socket>();

  const serve = (plain: net.Socket): void => {
    sockets.add(plain);
    plain.setNoDelay(true);
    plain.on('close', () => sockets.delete(plain));
    plain.on('error', () => undefined);
    const script = current;
    if (script.isSilent) return;
    let socket: net.Socket = plain;
    const say = (text: string): boolean => socket.write(`${text}\r\n`);
    let buffer = '';
    let inData = false;
    let loginStep = 0;
    let mail: ReceivedMail = { from: '', to: [], raw: '', auth: [] };
    say('220 mx.test.local ESMTP ready');
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          const atStart = buffer.startsWith('.\r\n');
          if (end < 0 && !atStart) return;
          mail.raw = atStart ? '' : buffer.slice(0, end + 2);
          buffer = buffer.slice(atStart ? 3 : end + 5);
          inData = false;
          mails.push(mail);
          mail = { from: '', to: [], raw: '', auth: mail.auth };
          say(script.replies?.MESSAGE ?? '250 2.0.0 Ok: queued as 4F2A1');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        commands.push(line);
        if (loginStep === 1 || loginStep === 2) {
          mail.auth.push(line);
          say(
            loginStep++ === 1
              ? '334 UGFzc3dvcmQ6'
              : (script.replies?.AUTH ?? '235 2.7.0 Authentication successful'),
          );
          if (loginStep === 3) loginStep = 0;
          continue;
        }
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        if (verb === 'STARTTLS' && script.hasStartTls && socket === plain) {
          say('220 2.0.0 Ready to start TLS');
          plain.off('data', onData);
          socket = new tls.TLSSocket(plain, { isServer: true, key: TEST_KEY, cert: TEST_CERT });
          socket.on('error', () => undefined);
          socket.on('data', onData);
          commands.push('[tls]');
          // Whatever came with STARTTLS in the clear is not carried over into the TLS session.
          buffer = '';
          return;
        } else if (verb === 'EHLO') {
          const offered = script.hasStartTls && socket === plain ? ['STARTTLS'] : [];
          const lines = [
            'mx.test.local greets you',
            ...offered,
            ...(script.extensions ?? DEFAULT_EXTENSIONS),
          ];
          lines.forEach((l, i) => say(`250${i === lines.length - 1 ? ' ' : '-'}${l}`));
        } else if (verb === 'HELO' || verb === 'RSET' || verb === 'NOOP') say('250 Ok');
        else if (verb === 'AUTH') {
          mail.auth.push(line);
          if (/^AUTH LOGIN$/i.test(line)) {
            loginStep = 1;
            say('334 VXNlcm5hbWU6');
          } else say(script.replies?.AUTH ?? '235 2.7.0 Authentication successful');
        } else if (verb === 'MAIL') {
          mail.from = /<(.*)>/.exec(line)?.[1] ?? '';
          say(script.replies?.MAIL ?? '250 2.1.0 Ok');
        } else if (verb === 'RCPT') {
          mail.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          say(script.replies?.RCPT ?? '250 2.1.5 Ok');
        } else if (verb === 'DATA') {
          const reply = script.replies?.DATA ?? '354 End data with <CR><LF>.<CR><LF>';
          inData = reply.startsWith('354');
          say(reply);
        } else if (verb === 'QUIT') {
          say('221 2.0.0 Bye');
          socket.end();
        } else say('502 5.5.2 Command not recognized');
      }
    };
    socket.on('data', onData);
  };
  const server = options.implicitTls
    ? tls.createServer({ key: TEST_KEY, cert: TEST_CERT }, serve)
    : net.createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    mails,
    commands,
    script(next) {
      current = next;
    },
    reset() {
      mails.length = 0;
      commands.length = 0;
      current = {};
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** The message as written before dot-stuffing: `..` at a line start back to `.`. */
export function unstuff(raw: string): string {
  return raw.replace(/(^|\r\n)\.\./g, '$1.');
}

/** Headers (unfolded) and body of a CRLF message. */
export function parseMail(message: string): { headers: Map<string, string>; body: string } {
  const split = message.indexOf('\r\n\r\n');
  const head = message.slice(0, split).replace(/\r\n[ \t]/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: message.slice(split + 4) };
}

/** Quoted-printable back to text (RFC 2045), for checking what the reader sees. */
export function decodeQuotedPrintable(body: string): string {
  const bytes = body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
