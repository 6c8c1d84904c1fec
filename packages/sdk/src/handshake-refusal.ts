import { type ErrorCode, ErrorCodes, SbError } from '@switchboard/protocol';

/** The code of a refusal whose body names none, by HTTP status. */
function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'E_VALIDATION';
    case 401:
      return 'E_UNAUTHORIZED';
    case 403:
      return 'E_FORBIDDEN';
    case 404:
      return 'E_NOT_FOUND';
    case 413:
      return 'E_PAYLOAD_TOO_LARGE';
    case 429:
      return 'E_RATE_LIMITED';
    case 504:
      return 'E_TIMEOUT';
    default:
      // Proxies answer 502/503 while a gateway restarts; other statuses say nothing more.
      return 'E_UNAVAILABLE';
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}

/** `Retry-After` (seconds or an HTTP date) in ms, when present and readable. */
export function parseRetryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The error for a WebSocket handshake the gateway answered with an HTTP status instead of an
 * upgrade: the code and `detail` of its problem+json body when it has them (the gateway's say
 * what was wrong with the credential), otherwise the code of the status.
 */
export function handshakeRefusal(
  status: number,
  body: string,
  retryAfter: string | undefined,
): SbError {
  let problem: { code?: unknown; detail?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null) problem = parsed;
  } catch {
    // Not problem+json (a proxy's HTML page, say): the status alone tells the code.
  }
  const code = isErrorCode(problem.code) ? problem.code : codeOfStatus(status);
  const detail =
    typeof problem.detail === 'string' && problem.detail !== '' ? problem.detail : `HTTP ${status}`;
  const retryAfterMs = parseRetryAfterMs(retryAfter);
  return new SbError(code, `the gateway refused the connection (HTTP ${status}): ${detail}`, {
    details: retryAfterMs === undefined ? { status } : { status, retryAfterMs },
  });
}
