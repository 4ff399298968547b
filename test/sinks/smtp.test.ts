// The SMTP sink against a real minimal SMTP server on 127.0.0.1: headers, dot-stuffing, AUTH, TLS, reply classes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmtpSink, messageIdFor, type SmtpDestination } from '../../src/sinks/smtp/sink.js';
import { sampleNotification, sendError, now } from './fixtures.js';
import { unusedPort } from './http-server.js';
import { TEST_CERT } from './tls-fixture.js';
import {
  decodeQuotedPrintable,
  parseMail,
  startSmtpServer,
  unstuff,
  type TestSmtpServer,
} from './smtp-server.js';

describe('smtp sink', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtpServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  const sink = (overrides: Partial<SmtpDestination> = {}) =>
    createSmtpSink(
      {
        name: 'mail',
        type: 'smtp',
        host: '127.0.0.1',
        port: server.port,
        from: 'trailwatch@example.com',
        to: ['soc@example.com', 'oncall@example.com'],
        tls: 'none',
        timeoutMs: 2000,
        clientName: 'tw.test',
        ...overrides,
      },
      { now },
    );

  it('sends one mail with From, To, Subject, Date and a Message-ID made from the notification id', async () => {
    await sink().send(sampleNotification());
    expect(server.commands).toEqual([
      'EHLO tw.test',
      'MAIL FROM:<trailwatch@example.com>',
      'RCPT TO:<soc@example.com>',
      'RCPT TO:<oncall@example.com>',
      'DATA',
      'QUIT',
    ]);
    const [mail] = server.mails;
    expect(mail?.from).toBe('trailwatch@example.com');
    expect(mail?.to).toEqual(['soc@example.com', 'oncall@example.com']);
    const { headers, body } = parseMail(unstuff(mail?.raw ?? ''));
    expect(Object.fromEntries(headers)).toEqual({
      from: 'Trailwatch <trailwatch@example.com>',
      to: 'soc@example.com, oncall@example.com',
      subject: '[Trailwatch high] Root console login from 203.0.113.9',
      date: 'Mon, 02 Nov 2026 10:06:40 +0000',
      'message-id': '<n-5d41402a@trailwatch>',
      'x-trailwatch-id': 'n-5d41402a',
      'mime-version': '1.0',
      'content-type': 'text/plain; charset=utf-8',
      'content-transfer-encoding': 'quoted-printable',
    });
    expect(decodeQuotedPrintable(body)).toBe(
      [
        'Trailwatch alert (new): Root console login from 203.0.113.9',
        '',
        'Severity:  high',
        'Rule:      aws-root-console-login (T1078.004)',
        'Who:       arn:aws:iam::123456789012:root',
        'Origin:    root (Root)',
        'Account:   123456789012',
        'Region:    us-east-1',
        'Source IP: 203.0.113.9',
        'Events:    3 (first 2026-11-02T10:00:00.000Z, last 2026-11-02T10:05:00.000Z)',
        'Alert id:  a-7f3c',
        'Link:      https://trailwatch.example/alerts/a-7f3c',
        '',
        'Runbook:',
        'Confirm with the account owner.',
        '',
      ].join('\r\n'),
    );
    for (const line of (mail?.raw ?? '').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('dot-stuffs lines that start with a dot, so a lone "." cannot end the message early', async () => {
    const runbook = 'Steps:\n.hidden line\n.\nlast line after the dot';
    await sink().send(sampleNotification({}, { runbook }));
    const raw = server.mails[0]?.raw ?? '';
    expect(raw).toContain('\r\nSteps:\r\n..hidden line\r\n..\r\nlast line after the dot\r\n');
    expect(decodeQuotedPrintable(parseMail(unstuff(raw)).body)).toContain(
      'Runbook:\r\nSteps:\r\n.hidden line\r\n.\r\nlast line after the dot\r\n',
    );
  });

  it('authenticates with AUTH PLAIN when credentials are configured', async () => {
    await sink({ username: 'tw-user', password: 'pa55-w0rd' }).send(sampleNotification());
    const expected = Buffer.from('\u0000tw-user\u0000pa55-w0rd').toString('base64');
    expect(server.mails[0]?.auth).toEqual([`AUTH PLAIN ${expected}`]);
    expect(server.commands.slice(0, 3)).toEqual([
      'EHLO tw.test',
      `AUTH PLAIN ${expected}`,
      'MAIL FROM:<trailwatch@example.com>',
    ]);
  });

  it('uses AUTH LOGIN when that is the only mechanism offered', async () => {
    server.script({ extensions: ['AUTH LOGIN'] });
    await sink({ username: 'tw-user', password: 'pa55-w0rd' }).send(sampleNotification());
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(server.mails[0]?.auth).toEqual(['AUTH LOGIN', b64('tw-user'), b64('pa55-w0rd')]);
  });

  it('makes a refused login not retryable, without showing the password', async () => {
    server.script({ replies: { AUTH: '535 5.7.8 Authentication credentials invalid' } });
    const error = await sendError(
      sink({ username: 'tw-user', password: 'pa55-w0rd' }).send(sampleNotification()),
    );
    expect(error).toEqual({
      message: `SMTP "mail" (127.0.0.1:${server.port}): AUTH PLAIN was refused: 535 5.7.8 Authentication credentials invalid`,
      isRetryable: false,
    });
    expect(server.mails).toEqual([]);
  });

  it('makes a 451 retryable and a 550 not retryable', async () => {
    server.script({ replies: { RCPT: '451 4.7.1 Greylisted, try again later' } });
    expect(await sendError(sink().send(sampleNotification()))).toEqual({
      message: `SMTP "mail" (127.0.0.1:${server.port}): RCPT TO:<soc@example.com> was refused: 451 4.7.1 Greylisted, try again later`,
      isRetryable: true,
    });
    server.script({ replies: { MESSAGE: '550 5.7.1 Message rejected as spam' } });
    expect(await sendError(sink().send(sampleNotification()))).toEqual({
      message: `SMTP "mail" (127.0.0.1:${server.port}): the message was refused: 550 5.7.1 Message rejected as spam`,
      isRetryable: false,
    });
    expect(server.mails.length).toBe(1);
  });

  it('upgrades with STARTTLS, checking the certificate, before AUTH and MAIL', async () => {
    server.script({ hasStartTls: true });
    await sink({ tls: 'starttls', ca: TEST_CERT, username: 'tw-user', password: 'pa55-w0rd' }).send(
      sampleNotification(),
    );
    expect(server.commands.map((c) => c.split(' ')[0])).toEqual([
      'EHLO',
      'STARTTLS',
      '[tls]',
      'EHLO',
      'AUTH',
      'MAIL',
      'RCPT',
      'RCPT',
      'DATA',
      'QUIT',
    ]);
    expect(server.mails).toHaveLength(1);
  });

  it('makes an untrusted certificate after STARTTLS a SinkError that is not retryable', async () => {
    server.script({ hasStartTls: true });
    const error = await sendError(
      sink({ tls: 'starttls', username: 'tw-user', password: 'pa55-w0rd' }).send(sampleNotification()),
    );
    expect(error).toEqual({
      message: `SMTP "mail" (127.0.0.1:${server.port}): DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate.`,
      isRetryable: false,
    });
    expect(server.commands).toEqual(['EHLO tw.test', 'STARTTLS', '[tls]']);
  });

  it('refuses to go on in clear text when STARTTLS is required but not offered', async () => {
    const error = await sendError(sink({ tls: 'starttls' }).send(sampleNotification()));
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('the server does not offer STARTTLS');
    expect(server.commands).toEqual(['EHLO tw.test']);
  });

  it('makes a server that never greets, and a port with nothing listening, retryable', async () => {
    server.script({ isSilent: true });
    expect(await sendError(sink({ timeoutMs: 300 }).send(sampleNotification()))).toEqual({
      message: `SMTP "mail" (127.0.0.1:${server.port}): no answer within 300 ms.`,
      isRetryable: true,
    });
    const port = await unusedPort();
    const error = await sendError(sink({ port }).send(sampleNotification()));
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('encodes a non-ASCII subject and keeps a title with line breaks on one header line', async () => {
    await sink().send(sampleNotification({}, { title: 'Zugriff für Müller\r\nBcc: victim@example.com' }));
    const { headers } = parseMail(unstuff(server.mails[0]?.raw ?? ''));
    expect(headers.has('bcc')).toBe(false);
    const subject = headers.get('subject') ?? '';
    expect(subject).toMatch(/^(=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= ?)+$/);
    const decoded = subject
      .split(' ')
      .map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe('[Trailwatch high] Zugriff für Müller  Bcc: victim@example.com');
  });

  it('derives distinct, valid Message-IDs from any notification ids', () => {
    expect(messageIdFor('n-5d41402a')).toBe('n-5d41402a@trailwatch');
    expect(messageIdFor('a/b c')).toBe('a=2Fb=20c@trailwatch');
    expect(messageIdFor('a=2F')).not.toBe(messageIdFor('a/'));
  });

  it('refuses at creation addresses that are not plain', () => {
    expect(() => sink({ to: ['soc@example.com>\r\nRCPT TO:<x@evil.example'] })).toThrow(
      /is not a plain address/,
    );
    expect(() => sink({ from: 'Trailwatch <tw@example.com>' })).toThrow(/is not a plain address/);
    expect(() => sink({ to: [] })).toThrow(/'to' lists no recipient/);
    expect(sink({ to: 'soc@example.com' }).type).toBe('smtp');
  });
});

describe('smtp sink with implicit TLS', () => {
  let server: TestSmtpServer;
  beforeAll(async () => {
    server = await startSmtpServer({ implicitTls: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('speaks TLS from the first byte', async () => {
    const sink = createSmtpSink({
      name: 'mail',
      type: 'smtp',
      host: '127.0.0.1',
      port: server.port,
      from: 'trailwatch@example.com',
      to: ['soc@example.com'],
      tls: 'tls',
      ca: TEST_CERT,
      timeoutMs: 2000,
    });
    await sink.send(sampleNotification());
    expect(server.mails.map((m) => m.to)).toEqual([['soc@example.com']]);
  });
});
