import { ErrorCodes } from '@switchboard/protocol';

/** The gateway's address when `SB_URL` is not set. */
export const DEFAULT_URL = 'http://127.0.0.1:7700';

/** A failure the CLI reports as `<code>: <message>` (the API's problem code, or its own). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const knownCodes = new Set<string>(Object.values(ErrorCodes));

/** The CliError of a non-2xx answer: the problem+json code and detail when the body has them. */
async function errorOf(response: Response): Promise<CliError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { code?: unknown; detail?: unknown; errors?: unknown };
    if (typeof body.code === 'string' && knownCodes.has(body.code)) {
      return new CliError(body.code, typeof body.detail === 'string' ? body.detail : text);
    }
  } catch {
    // Not JSON (a proxy's error page): reported by status below.
  }
  return new CliError(
    response.status >= 500 ? 'E_UNAVAILABLE' : 'E_VALIDATION',
    `the gateway answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
  );
}

/** A client of the operator HTTP API. */
export class OperatorClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
    /** Aborts every request (Ctrl-C). */
    private readonly signal?: AbortSignal,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Sends a request and returns the parsed JSON answer; throws a CliError on any failure. */
  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await this.fetch(path, {
      method,
      ...(this.signal === undefined ? {} : { signal: this.signal }),
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw await errorOf(response);
    return (await response.json()) as T;
  }

  /** Opens a streaming GET (Server-Sent Events); the body is the caller's to read. */
  async stream(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const response = await this.fetch(path, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
      ...(signal === undefined ? {} : { signal }),
    });
    if (!response.ok) throw await errorOf(response);
    if (response.body === null) throw new CliError('E_UNAVAILABLE', 'the stream has no body');
    return response.body;
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    if (this.apiKey === undefined || this.apiKey === '') {
      throw new CliError(
        'E_UNAUTHORIZED',
        'no API key: set SB_API_KEY; `switchboard keys bootstrap` makes the first one',
      );
    }
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.apiKey}`);
    try {
      return await fetch(`${this.baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new CliError(
        'E_UNAVAILABLE',
        `cannot reach the gateway at ${this.baseUrl} (${reason}); check SB_URL`,
      );
    }
  }
}

/** `?a=1&b=x` from the defined entries (arrays repeat the name). */
export function queryString(
  params: Record<string, string | number | boolean | string[] | undefined>,
) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
