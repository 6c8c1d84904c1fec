import { STATUS_CODES } from 'node:http';
import { httpStatusByCode, type SbError } from '@switchboard/protocol';
import { rateLimitHeaders } from '@switchboard/service';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

/** The media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One failing field of a request that did not validate. */
export const FieldErrorSchema = z.strictObject({
  /** Where the field is: `body.name`, `query.limit`, `params.id`. */
  field: z.string(),
  message: z.string(),
});

/** An error as every HTTP route of the gateway answers it (RFC 9457 plus the stable code). */
export const ProblemSchema = z
  .object({
    type: z.string().describe('Always `about:blank`: `code` says what happened'),
    title: z.string().describe('The HTTP status phrase'),
    status: z.int(),
    detail: z.string().describe('What happened and what to do, for a person'),
    code: z.string().describe('The stable error code (`E_NOT_FOUND`, `E_FORBIDDEN`, ...)'),
    instance: z.string().optional().describe('The path of the request'),
    errors: z.array(FieldErrorSchema).optional().describe('Each failing field (`E_VALIDATION`)'),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Problem' });

/** An error body (see {@link ProblemSchema}). */
export type Problem = z.infer<typeof ProblemSchema>;

/** The problem body of an {@link SbError}; `instance` is the request path. */
export function toProblem(error: SbError, instance?: string): Problem {
  const status = httpStatusByCode[error.code];
  const body: Problem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: error.message,
    code: error.code,
  };
  if (instance !== undefined) body.instance = instance;
  const { fields, ...details } = error.details ?? {};
  const errors = z.array(FieldErrorSchema).safeParse(fields);
  if (errors.success) body.errors = errors.data;
  if (Object.keys(details).length > 0) body.details = details;
  return body;
}

/**
 * Answers `reply` with the problem+json body of `error`. `E_RATE_LIMITED` with
 * `details.retryAfterMs` (and `resetMs`, `limit`) adds `Retry-After` and `RateLimit-*` headers
 * (whole seconds, rounded up).
 */
export function problem(reply: FastifyReply, error: SbError, instance?: string): FastifyReply {
  const body = toProblem(error, instance);
  void reply.headers(rateLimitHeaders(error));
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}
