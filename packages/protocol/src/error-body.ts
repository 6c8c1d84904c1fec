import { z } from 'zod';
import { type ErrorCode, ErrorCodes, SbError } from './errors.ts';
import { unavailableErrorOf } from './unavailable.ts';

const codes = Object.values(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

/** The wire form of an error, shared by NATS replies and WebSocket error frames. */
export const ErrorBodySchema = z.object({
  code: z.enum(codes),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * Turns any thrown value into its wire form. An {@link SbError} keeps its code and message; a
 * lost connection to Postgres or Redis is `E_UNAVAILABLE`; anything else is a bug and leaves as
 * `E_INTERNAL` without leaking its text.
 */
export function toErrorBody(error: unknown): ErrorBody {
  const known = error instanceof SbError ? error : unavailableErrorOf(error);
  if (known !== undefined) {
    return known.details === undefined
      ? { code: known.code, message: known.message }
      : { code: known.code, message: known.message, details: known.details };
  }
  return { code: 'E_INTERNAL', message: 'internal error; the service logged the details' };
}

/** Rebuilds an {@link SbError} from its wire form. */
export function fromErrorBody(body: ErrorBody): SbError {
  return new SbError(
    body.code,
    body.message,
    body.details === undefined ? {} : { details: body.details },
  );
}

/** Formats zod issues as `path: message` lines a person can act on. */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** An `E_VALIDATION` error naming every failing path of a zod parse. */
export function validationError(what: string, error: z.ZodError): SbError {
  return new SbError('E_VALIDATION', `${what} is invalid: ${describeZodIssues(error)}`, {
    details: {
      issues: error.issues.map((issue) => ({
        path: issue.path.map(String),
        message: issue.message,
      })),
    },
  });
}
