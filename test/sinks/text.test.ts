// The small pure pieces the sinks share: URL redaction, quoted-printable, encoded headers, dot-stuffing.
import { describe, expect, it } from 'vitest';
import { redactUrl, scrub } from '../../src/sinks/redact.js';
import { dotStuff, encodeHeaderValue, encodeQuotedPrintable } from '../../src/sinks/smtp/message.js';
import { decodeQuotedPrintable } from './smtp-server.js';

describe('redaction', () => {
  it('drops credentials and query strings from URLs, and the path when asked', () => {
    expect(redactUrl('https://u:p@hooks.example.com/a/b?token=x#frag')).toBe(
      'https://***@hooks.example.com/a/b?…',
    );
    expect(redactUrl('https://hooks.slack.com/services/T/B/X', false)).toBe('https://hooks.slack.com/…');
    expect(redactUrl('nonsense')).toBe('(an invalid URL)');
  });

  it('scrubs secrets and URLs inside free text, keeping what surrounds them', () => {
    expect(scrub('(see https://a:b@x.example/p?k=v): key abcd1234 ok', ['abcd1234', 'ab'])).toBe(
      '(see https://***@x.example/p?…): key *** ok',
    );
  });
});

describe('e-mail encoding', () => {
  it('keeps quoted-printable lines within 76 characters and decodes back to the text', () => {
    const text = `${'ü'.repeat(60)} ${'x'.repeat(200)} \n=equals\ttab \nlast`;
    const encoded = encodeQuotedPrintable(text);
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(encoded).toMatch(/=3Dequals\ttab=20\r\n/);
    expect(decodeQuotedPrintable(encoded)).toBe(text.replace(/\n/g, '\r\n'));
  });

  it('leaves short ASCII header values alone and encodes others as folded UTF-8 words', () => {
    expect(encodeHeaderValue('[Trailwatch high] Root login')).toBe('[Trailwatch high] Root login');
    const encoded = encodeHeaderValue('Ünïcödé '.repeat(10));
    for (const line of encoded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(encoded.split('\r\n ').length).toBeGreaterThan(1);
  });

  it('doubles leading dots and ends the data with a lone dot', () => {
    expect(dotStuff('.a\r\nb\r\n.\r\n')).toBe('..a\r\nb\r\n..\r\n.\r\n');
    expect(dotStuff('no newline')).toBe('no newline\r\n.\r\n');
  });
});
