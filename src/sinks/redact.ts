// Keeping secrets out of error messages: URLs lose credentials and query strings, known secrets become ***.

/** `https://user:pw@host/path?token=x#f` → `https://***@host/path?…`; `keepPath` false drops the path too. */
export function redactUrl(url: string, keepPath = true): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an invalid URL)';
  }
  const credentials = parsed.username || parsed.password ? '***@' : '';
  const path = keepPath ? parsed.pathname : parsed.pathname === '/' ? '' : '/…';
  return `${parsed.protocol}//${credentials}${parsed.host}${path}${parsed.search ? '?…' : ''}`;
}

// Scheme, optional `user:password@`, host and path, optional query and fragment; it ends at spaces, quotes
// and brackets so that `(https://host/path?…):` keeps its closing `):`.
const URL_IN_TEXT =
  /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>()]*@)?([^\s?#"'<>()]*)(\?[^\s#"'<>()]*)?(#[^\s"'<>()]*)?/gi;

/**
 * A message safe to log: every URL in it redacted (a server may echo the request URL back), and every
 * given secret (at least 4 characters, so that short values cannot blank out ordinary words) replaced.
 */
export function scrub(message: string, secrets: readonly (string | undefined)[]): string {
  let safe = message;
  for (const secret of secrets)
    if (secret !== undefined && secret.length >= 4) safe = safe.replaceAll(secret, '***');
  return safe.replace(
    URL_IN_TEXT,
    (_match, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) =>
      `${scheme}${userinfo ? '***@' : ''}${rest}${query ? '?…' : ''}`,
  );
}
