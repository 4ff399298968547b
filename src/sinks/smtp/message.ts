// An alert e-mail as RFC 5322 text: encoded headers, a quoted-printable UTF-8 body, dot-stuffing for DATA.

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  /** Without angle brackets, e.g. `n-123@trailwatch`. */
  messageId: string;
  date: Date;
  /** Extra headers; their values are encoded like the subject. */
  headers?: Record<string, string>;
}

/** A header value as-is when it is short printable ASCII, else RFC 2047 encoded words folded onto lines. */
export function encodeHeaderValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= 900) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const char of clean) {
    // 45 bytes of UTF-8 make 60 base64 characters: each encoded word stays under 76.
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** Quoted-printable (RFC 2045): lines of at most 76 characters, soft breaks marked by a final `=`. */
export function encodeQuotedPrintable(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const bytes = Buffer.from(line, 'utf8');
      const out: string[] = [];
      let current = '';
      bytes.forEach((byte, i) => {
        const isLast = i === bytes.length - 1;
        const isLiteral =
          (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !isLast);
        const token = isLiteral
          ? String.fromCharCode(byte)
          : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = '';
        }
        current += token;
      });
      out.push(current);
      return out.join('\r\n');
    })
    .join('\r\n');
}

/** RFC 5322 date in UTC: `Sat, 29 Nov 2026 11:41:52 +0000`. */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** The message with CRLF line endings, headers first. */
export function buildMessage(message: MailMessage): string {
  const to = message.to.join(', ');
  const headers: [string, string][] = [
    ['From', `Trailwatch <${message.from}>`],
    ['To', to.length > 900 ? message.to.join(',\r\n ') : to],
    ['Subject', encodeHeaderValue(message.subject)],
    ['Date', formatDate(message.date)],
    ['Message-ID', `<${message.messageId}>`],
    ...Object.entries(message.headers ?? {}).map(([name, value]): [string, string] => [
      name,
      encodeHeaderValue(value),
    ]),
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Transfer-Encoding', 'quoted-printable'],
  ];
  const head = headers.map(([name, value]) => `${name}: ${value}`).join('\r\n');
  return `${head}\r\n\r\n${encodeQuotedPrintable(message.text.replace(/\r?\n$/, ''))}\r\n`;
}

/** For DATA: a `.` doubled at the start of every line, then the terminating `.` line (RFC 5321 4.5.2). */
export function dotStuff(message: string): string {
  const body = message.endsWith('\r\n') ? message : `${message}\r\n`;
  return `${body.replace(/(^|\r\n)\./g, '$1..')}.\r\n`;
}
