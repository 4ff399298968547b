// The SMTP connection's reply reader, against a real socket that splits replies at awkward places.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpConnection, SmtpConnectionError } from '../../src/sinks/smtp/connection.js';

describe('SmtpConnection', () => {
  let server: net.Server;
  let port: number;
  /** What the server writes to each new connection, one chunk at a time. */
  let chunks: string[] = [];
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      let i = 0;
      const next = (): void => {
        const chunk = chunks[i++];
        if (chunk !== undefined) socket.write(chunk, () => setImmediate(next));
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const open = () =>
    SmtpConnection.open({
      host: '127.0.0.1',
      port,
      secure: false,
      ca: undefined,
      signal: new AbortController().signal,
    });

  it('joins a multi-line reply that arrives split mid-line, and keeps later replies queued', async () => {
    chunks = ['220-mx.exa', 'mple ESMTP\r\n220-second line\r', '\n220 last\r\n250 queued', '\r\n'];
    const connection = await open();
    expect(await connection.read()).toEqual({
      code: 220,
      lines: ['mx.example ESMTP', 'second line', 'last'],
    });
    expect(await connection.read()).toEqual({ code: 250, lines: ['queued'] });
    connection.close();
  });

  it('stops at a line that is not an SMTP reply, as a failure not worth retrying', async () => {
    chunks = ['HTTP/1.1 400 Bad Request\r\n'];
    const connection = await open();
    const error = await connection.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmtpConnectionError);
    expect(error).toMatchObject({
      message: 'not an SMTP reply: "HTTP/1.1 400 Bad Request"',
      isRetryable: false,
    });
    connection.close();
  });

  it('fails a pending read, retryably, when the server hangs up', async () => {
    chunks = [];
    const connection = await open();
    const pending = connection.read();
    for (const socket of sockets) socket.destroy();
    await expect(pending).rejects.toMatchObject({
      message: 'the server closed the connection',
      isRetryable: true,
    });
    connection.close();
  });
});
