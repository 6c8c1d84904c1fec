// The console's one way to the operator API: same-origin fetches that carry the session cookie,
// the CSRF token on every change, and errors turned into `ApiError` with the stable code.

/** An error the API answered (problem+json), or a network failure (`E_UNAVAILABLE`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly fields: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onSessionEnded: (() => void) | undefined;

/**
 * Called when the API answers 401 to a request made with the session (it expired, was signed
 * out elsewhere, or its key was revoked), so the console returns to the sign-in page.
 */
export function whenSessionEnds(listener: (() => void) | undefined): void {
  onSessionEnded = listener;
}

/** Set at sign-in (and after a reload); sent as `X-CSRF-Token` with every change. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

interface Problem {
  code?: string;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

async function problemOf(response: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    problem = (await response.json()) as Problem;
  } catch {
    // Not JSON (a proxy's error page): the status alone says what happened.
  }
  return new ApiError(
    problem.code ?? `HTTP_${response.status}`,
    problem.detail ?? `the gateway answered ${response.status} ${response.statusText}`,
    response.status,
    problem.errors ?? [],
  );
}

/** Calls the operator API; resolves with the JSON body (undefined for 204). */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiError('E_UNAVAILABLE', `the gateway cannot be reached: ${String(error)}`, 0);
  }
  if (!response.ok) {
    const error = await problemOf(response);
    if (error.status === 401 && csrfToken !== undefined && !path.startsWith('/v1/session')) {
      csrfToken = undefined;
      onSessionEnded?.();
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string from the defined values of `params` (repeated keys for arrays). */
export function queryOf(params: Record<string, string | number | undefined | string[]>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** A page of a listing, as every `/v1` listing answers. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
