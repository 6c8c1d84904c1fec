import { type ErrorCode, isSbError, SbError, unavailableErrorOf } from '@switchboard/protocol';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { problem } from './problem.ts';

// Fastify's own 4xx errors (malformed JSON, wrong media type, body too large, ...) keep their
// message, which names the problem without echoing input; their code comes from the status.
const codeByStatus: Record<number, ErrorCode> = {
  401: 'E_UNAUTHORIZED',
  403: 'E_FORBIDDEN',
  404: 'E_NOT_FOUND',
  409: 'E_CONFLICT',
  413: 'E_PAYLOAD_TOO_LARGE',
  429: 'E_RATE_LIMITED',
};

/** Where a request part is named in field paths: `body.name`, `query.limit`. */
const partNames: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** The path of a request without its query string (which may carry a cursor). */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] as string;
}

/**
 * Turns whatever a route threw into the SbError the client sees (a lost Postgres or Redis
 * connection is `E_UNAVAILABLE`); undefined for a bug.
 */
export function toSbError(error: unknown): SbError | undefined {
  if (isSbError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const part = partNames[error.validationContext ?? ''] ?? 'request';
    const fields = error.validation.map((issue) => ({
      field: [part, ...issue.instancePath.split('/').filter((segment) => segment !== '')].join('.'),
      message: issue.message ?? 'is invalid',
    }));
    const summary = fields.map(({ field, message }) => `${field}: ${message}`).join('; ');
    return new SbError('E_VALIDATION', `the request is invalid: ${summary}`, {
      details: { fields },
    });
  }
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new SbError(codeByStatus[status] ?? 'E_VALIDATION', (error as Error).message);
  }
  return unavailableErrorOf(error);
}

/**
 * One error handler for the operator API: every failure leaves as `application/problem+json`
 * with its stable code. An SbError keeps its code, message and details; anything else is a bug,
 * logged in full and answered `E_INTERNAL` without its text.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const known = toSbError(error);
  if (known === undefined) {
    request.log.error({ err: error }, 'operator API request failed');
    return problem(
      reply,
      new SbError('E_INTERNAL', 'internal error; the gateway logged the details'),
      pathOf(request),
    );
  }
  if (known.code === 'E_INTERNAL' || known.code === 'E_UNAVAILABLE') {
    request.log.warn({ err: error }, `operator API request failed: ${known.message}`);
  }
  return problem(reply, known, pathOf(request));
}

/** Answers a request no route matched, as problem+json. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply) {
  return problem(
    reply,
    new SbError('E_NOT_FOUND', `no route ${request.method} ${pathOf(request)}; see /docs`),
    pathOf(request),
  );
}
