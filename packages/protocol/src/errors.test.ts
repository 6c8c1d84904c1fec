import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  describeZodIssues,
  ErrorBodySchema,
  fromErrorBody,
  toErrorBody,
  validationError,
} from './error-body.ts';
import { ErrorCodes, httpStatusByCode, isSbError, SbError } from './errors.ts';

describe('SbError', () => {
  it('carries a code, a message, details and its cause', () => {
    const cause = new Error('socket closed');
    const error = new SbError('E_CONFLICT', 'state of a1 is at version 4, not 3', {
      details: { current: 4 },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'SbError',
      code: 'E_CONFLICT',
      message: 'state of a1 is at version 4, not 3',
      details: { current: 4 },
      cause,
    });
    expect(isSbError(error)).toBe(true);
    expect(isSbError(cause)).toBe(false);
    expect(new SbError('E_TIMEOUT', 'late').cause).toBeUndefined();
  });

  it('maps every code to an HTTP status', () => {
    for (const code of Object.values(ErrorCodes)) {
      expect(httpStatusByCode[code]).toBeGreaterThanOrEqual(400);
    }
    expect(httpStatusByCode.E_RATE_LIMITED).toBe(429);
    expect(httpStatusByCode.E_UNAVAILABLE).toBe(503);
  });
});

describe('error bodies', () => {
  it('round-trip an SbError with and without details', () => {
    const withDetails = new SbError('E_NOT_FOUND', 'no agent a1', { details: { agentId: 'a1' } });
    const body = toErrorBody(withDetails);
    expect(body).toEqual({
      code: 'E_NOT_FOUND',
      message: 'no agent a1',
      details: { agentId: 'a1' },
    });
    expect(ErrorBodySchema.parse(body)).toEqual(body);
    const rebuilt = fromErrorBody(body);
    expect(rebuilt).toBeInstanceOf(SbError);
    expect(rebuilt).toMatchObject({ code: 'E_NOT_FOUND', details: { agentId: 'a1' } });

    const plain = toErrorBody(new SbError('E_TIMEOUT', 'late'));
    expect(plain).toEqual({ code: 'E_TIMEOUT', message: 'late' });
    expect(fromErrorBody(plain).details).toBeUndefined();
  });

  it('turns anything that is not an SbError into E_INTERNAL without leaking its text', () => {
    expect(toErrorBody(new TypeError('secret internals'))).toEqual({
      code: 'E_INTERNAL',
      message: 'internal error; the service logged the details',
    });
    expect(toErrorBody('a string')).toMatchObject({ code: 'E_INTERNAL' });
  });

  it('refuses an unknown code on the wire', () => {
    expect(ErrorBodySchema.safeParse({ code: 'E_NOPE', message: 'x' }).success).toBe(false);
  });
});

describe('validation errors', () => {
  const schema = z.object({ agent: z.object({ id: z.string() }), priority: z.number() });

  it('names every failing path', () => {
    const result = schema.safeParse({ agent: { id: 7 }, priority: 'high' });
    if (result.success) throw new Error('expected a failure');
    expect(describeZodIssues(result.error)).toMatch(/^agent\.id: .+; priority: .+$/);
    const error = validationError('message frame', result.error);
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toMatch(/^message frame is invalid: agent\.id: /);
    expect(error.details).toEqual({
      issues: [
        { path: ['agent', 'id'], message: expect.any(String) },
        { path: ['priority'], message: expect.any(String) },
      ],
    });
  });

  it('calls a problem with the whole value the root', () => {
    const result = z.string().safeParse(1);
    if (result.success) throw new Error('expected a failure');
    expect(describeZodIssues(result.error)).toMatch(/^\(root\): /);
  });
});
