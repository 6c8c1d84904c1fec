/** What a redacted value is replaced with in log lines. */
export const redactedValue = '[redacted]';

/**
 * Paths (pino redact syntax) whose values never reach a log line. `*.x` matches `x` exactly one
 * level down (pino's wildcard is not recursive), so secrets nested deeper are not covered: log
 * identifiers, never whole configs or payloads (STYLE.md, Logging). The `sb-principal` header is
 * not here on purpose: it names who acts and is what an operator needs to read.
 */
export const defaultRedactPaths: readonly string[] = [
  'password',
  '*.password',
  'pass',
  '*.pass',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'privateKey',
  '*.privateKey',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'tls.key',
  '*.tls.key',
];

const hiddenPassword = '***';
const secretQueryParameter = /([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi;

/**
 * Returns `url` with the password of its user info replaced by `***`
 * (`postgres://user:***@host/db`), and the values of query parameters whose name contains
 * `pass`, `secret`, `token` or `key` too. Parsed by hand rather than with `URL`, which rejects the
 * multi-host URLs Postgres and NATS accept (`postgres://u:p@h1:5432,h2:5432/db`) and would
 * otherwise be left unredacted. A string without a scheme is returned unchanged.
 */
export function redactUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 0) return url;
  const authorityStart = schemeEnd + 3;
  const rest = url.slice(authorityStart);
  // The user info ends at the last '@' before the query: a raw '/' or '@' inside a password
  // (not percent-encoded, as people write them) must not leak the rest of it.
  const authorityEnd = rest.search(/[?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const userInfoEnd = authority.lastIndexOf('@');
  const passwordStart = authority.indexOf(':');
  let redacted = url;
  if (passwordStart >= 0 && passwordStart < userInfoEnd) {
    redacted =
      url.slice(0, authorityStart + passwordStart + 1) +
      hiddenPassword +
      url.slice(authorityStart + userInfoEnd);
  }
  return redacted.replace(secretQueryParameter, `$1${hiddenPassword}`);
}
