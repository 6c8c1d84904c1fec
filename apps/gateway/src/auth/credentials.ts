import { SbError } from '@switchboard/protocol';

/** The subprotocol every agent connection speaks; the only one the server echoes. */
export const WS_SUBPROTOCOL = 'sb.v1';
const BEARER_SUBPROTOCOL_PREFIX = 'sb.bearer.';

// Query parameters where clients are tempted to put tokens; any of them is refused outright,
// since URLs end up in proxy logs and browser history (DESIGN.md, Security).
const URL_CREDENTIAL_PARAMS = ['token', 'access_token', 'api_key', 'apikey', 'key', 'jwt', 'auth'];

/** The request parts credentials may come from. */
export interface CredentialSource {
  url: string;
  authorization?: string | undefined;
  /** `Sec-WebSocket-Protocol` as sent: comma-separated. */
  protocols?: string | undefined;
}

/**
 * The bearer token of a request: `Authorization: Bearer <token>` (Node clients) or the
 * subprotocol `sb.bearer.<token>` beside `sb.v1` (browsers, which cannot set headers on a
 * WebSocket). Never the URL: a token there is refused even when a header also carries one.
 */
export function extractBearerToken(source: CredentialSource): string {
  const query = new URL(source.url, 'http://gateway').searchParams;
  const inUrl = URL_CREDENTIAL_PARAMS.find((name) => query.has(name));
  if (inUrl !== undefined) {
    throw new SbError(
      'E_UNAUTHORIZED',
      `credentials in the URL (\`${inUrl}\`) are refused: send them in the Authorization header or the WebSocket subprotocol`,
    );
  }
  const header = source.authorization?.trim();
  if (header !== undefined && header !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      throw new SbError('E_UNAUTHORIZED', 'the Authorization header must be `Bearer <token>`');
    }
    return match[1] as string;
  }
  const fromProtocol = (source.protocols ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (fromProtocol !== undefined && fromProtocol.length > BEARER_SUBPROTOCOL_PREFIX.length) {
    return fromProtocol.slice(BEARER_SUBPROTOCOL_PREFIX.length);
  }
  throw new SbError(
    'E_UNAUTHORIZED',
    'no credentials: send `Authorization: Bearer <API key or JWT>`, or from a browser the subprotocols `sb.v1, sb.bearer.<token>`',
  );
}

/**
 * Cross-site WebSocket hijacking guard: a browser always sends `Origin`, and a page on another
 * site must not ride on the user's network position. Requests without `Origin` (Node agents)
 * pass; with one, it must be on the allow-list (`*` allows any).
 */
export function checkOrigin(origin: string | undefined, allowed: readonly string[]): void {
  if (origin === undefined || allowed.includes('*') || allowed.includes(origin)) return;
  throw new SbError(
    'E_FORBIDDEN',
    `origin ${origin} is not allowed; add it to gateway.allowedOrigins (SB_GATEWAY__ALLOWED_ORIGINS)`,
  );
}
