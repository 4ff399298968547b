// Which low-level failures are worth retrying: all network trouble but certificate and TLS handshake problems.

const PERMANENT = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|WRONG_VERSION/;

/** The `code` of a Node.js system or TLS error (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…), if it has one. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** An untrusted or expired certificate, or a peer that does not speak TLS, stays so on retry. */
export function isPermanentNetworkError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== null && PERMANENT.test(code);
}
