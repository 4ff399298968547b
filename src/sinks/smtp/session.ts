// The SMTP conversation for one message: greeting, EHLO, STARTTLS, AUTH, envelope, DATA and QUIT.
import { SinkError } from '../port.js';
import { oneLine } from '../text.js';
import type { SmtpConnection, SmtpReply } from './connection.js';

export interface Session {
  host: string;
  from: string;
  to: readonly string[];
  username?: string;
  password?: string;
  tls: 'none' | 'starttls' | 'tls';
  clientName: string;
}

/** Greeting to QUIT. Once DATA is accepted the mail is sent: nothing after that may fail the delivery. */
export async function converse(connection: SmtpConnection, session: Session, data: string): Promise<void> {
  expectReply(await connection.read(), [220], 'greeting');
  let ehlo = await connection.command(`EHLO ${session.clientName}`);
  if (ehlo.code >= 500) ehlo = await connection.command(`HELO ${session.clientName}`);
  expectReply(ehlo, [250], 'EHLO');
  if (session.tls === 'starttls') {
    if (!hasExtension(ehlo, 'STARTTLS'))
      throw new SinkError(
        "the server does not offer STARTTLS; use tls: 'tls' for implicit TLS, or tls: 'none' only for a trusted relay.",
        false,
      );
    expectReply(await connection.command('STARTTLS'), [220], 'STARTTLS');
    await connection.upgrade(session.host);
    ehlo = expectReply(await connection.command(`EHLO ${session.clientName}`), [250], 'EHLO after STARTTLS');
  }
  if (session.username !== undefined)
    await authenticate(connection, ehlo, session.username, session.password ?? '');
  expectReply(await connection.command(`MAIL FROM:<${session.from}>`), [250], 'MAIL FROM');
  for (const rcpt of session.to)
    expectReply(await connection.command(`RCPT TO:<${rcpt}>`), [250, 251], `RCPT TO:<${rcpt}>`);
  expectReply(await connection.command('DATA'), [354], 'DATA');
  expectReply(await connection.send(data), [250], 'the message');
  // A polite QUIT, but a server slow to say goodbye must not hold the delivery up.
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
  await Promise.race([connection.command('QUIT').catch(() => undefined), grace]);
  clearTimeout(timer);
}

/** AUTH PLAIN, or LOGIN when that is all the server offers; the replies never echo the credentials. */
async function authenticate(
  connection: SmtpConnection,
  ehlo: SmtpReply,
  username: string,
  password: string,
): Promise<void> {
  const mechanisms =
    ehlo.lines
      .find((l) => /^AUTH[ =]/i.test(l))
      ?.slice(5)
      .toUpperCase()
      .split(/\s+/) ?? [];
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  if (mechanisms.includes('PLAIN') || !mechanisms.includes('LOGIN')) {
    expectReply(
      await connection.command(`AUTH PLAIN ${b64(`\u0000${username}\u0000${password}`)}`),
      [235],
      'AUTH PLAIN',
    );
    return;
  }
  expectReply(await connection.command('AUTH LOGIN'), [334], 'AUTH LOGIN');
  expectReply(await connection.command(b64(username)), [334], 'AUTH LOGIN (user name)');
  expectReply(await connection.command(b64(password)), [235], 'AUTH LOGIN (password)');
}

function hasExtension(ehlo: SmtpReply, name: string): boolean {
  return ehlo.lines.slice(1).some((l) => l.toUpperCase().split(' ')[0] === name);
}

/** The reply when its code is expected; else a SinkError, retryable for 4xx (transient) replies only. */
function expectReply(reply: SmtpReply, codes: number[], step: string): SmtpReply {
  if (codes.includes(reply.code)) return reply;
  const text = oneLine(reply.lines.join(' ')).slice(0, 200);
  throw new SinkError(`${step} was refused: ${reply.code} ${text}`, reply.code >= 400 && reply.code < 500);
}
