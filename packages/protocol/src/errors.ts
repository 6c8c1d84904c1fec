/** Every stable error code of the mesh. Add new codes here, never ad hoc strings. */
export const ErrorCodes = {
  E_VALIDATION: 'E_VALIDATION',
  E_UNAUTHORIZED: 'E_UNAUTHORIZED',
  E_FORBIDDEN: 'E_FORBIDDEN',
  E_NOT_FOUND: 'E_NOT_FOUND',
  E_CONFLICT: 'E_CONFLICT',
  E_RATE_LIMITED: 'E_RATE_LIMITED',
  E_PAYLOAD_TOO_LARGE: 'E_PAYLOAD_TOO_LARGE',
  E_UNAVAILABLE: 'E_UNAVAILABLE',
  E_TIMEOUT: 'E_TIMEOUT',
  E_INTERNAL: 'E_INTERNAL',
  /** A frame names a protocol version this gateway does not speak. */
  E_UNSUPPORTED_VERSION: 'E_UNSUPPORTED_VERSION',
  /** A well-formed frame of a type the receiver does not know. */
  E_UNKNOWN_FRAME: 'E_UNKNOWN_FRAME',
  /** An agent lifecycle change the state machine does not allow from the current status. */
  E_INVALID_TRANSITION: 'E_INVALID_TRANSITION',
  /** Policy asks for encrypted A2A traffic and the other side does not (or cannot) encrypt. */
  E_ENCRYPTION_REQUIRED: 'E_ENCRYPTION_REQUIRED',
  /** Encrypted A2A content that does not authenticate: altered, or sealed with another key. */
  E_DECRYPT_FAILED: 'E_DECRYPT_FAILED',
} as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The error the mesh throws for anything a caller can act on. */
export class SbError extends Error {
  override readonly name = 'SbError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** True when `value` is an {@link SbError} (also across module copies). */
export function isSbError(value: unknown): value is SbError {
  return value instanceof SbError;
}

/** The HTTP status each code maps to (problem+json responses). */
export const httpStatusByCode: Record<ErrorCode, number> = {
  E_VALIDATION: 400,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_CONFLICT: 409,
  E_PAYLOAD_TOO_LARGE: 413,
  E_RATE_LIMITED: 429,
  E_INTERNAL: 500,
  E_UNAVAILABLE: 503,
  E_TIMEOUT: 504,
  E_UNSUPPORTED_VERSION: 400,
  E_UNKNOWN_FRAME: 400,
  E_INVALID_TRANSITION: 409,
  E_ENCRYPTION_REQUIRED: 403,
  E_DECRYPT_FAILED: 400,
};
