import { describe, expect, it } from 'vitest';
import { toErrorBody } from './error-body.ts';
import { unavailableCodeOf, unavailableErrorOf } from './unavailable.ts';

const withCode = (code: string, message = 'failed') =>
  Object.assign(new Error(message), { code }) as Error;

describe('unavailableCodeOf', () => {
  it('recognises lost and refused connections, of sockets and of postgres.js', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'CONNECTION_CLOSED',
      'CONNECT_TIMEOUT',
    ]) {
      expect(unavailableCodeOf(withCode(code))).toBe(code);
    }
  });

  it('recognises a Postgres shutting down, starting, full, or any connection exception', () => {
    for (const sqlstate of ['57P01', '57P02', '57P03', '53300', '08006', '08P01']) {
      expect(unavailableCodeOf(withCode(sqlstate))).toBe(`SQLSTATE ${sqlstate}`);
    }
  });

  it('recognises ioredis on a closed connection or out of retries', () => {
    expect(unavailableCodeOf(new Error('Connection is closed.'))).toBe('redis closed');
    const retries = new Error('Reached the max retries per request limit');
    retries.name = 'MaxRetriesPerRequestError';
    expect(unavailableCodeOf(retries)).toBe('MaxRetriesPerRequestError');
  });

  it('follows causes, so a wrapped driver error still counts', () => {
    const wrapped = new Error('query failed', {
      cause: new Error('x', { cause: withCode('57P01') }),
    });
    expect(unavailableCodeOf(wrapped)).toBe('SQLSTATE 57P01');
  });

  it('leaves bugs and ordinary SQL errors alone', () => {
    expect(unavailableCodeOf(new TypeError('undefined is not a function'))).toBeUndefined();
    // unique_violation and serialization_failure are answers about the data, not outages.
    expect(unavailableCodeOf(withCode('23505'))).toBeUndefined();
    expect(unavailableCodeOf(withCode('40001'))).toBeUndefined();
    expect(unavailableCodeOf(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(unavailableCodeOf('ECONNREFUSED')).toBeUndefined();
    expect(unavailableCodeOf(undefined)).toBeUndefined();
  });
});

describe('unavailableErrorOf and toErrorBody', () => {
  it('answers E_UNAVAILABLE naming the cause, not the driver text', () => {
    const error = withCode('57P01', 'terminating connection due to administrator command');
    expect(unavailableErrorOf(error)).toMatchObject({
      code: 'E_UNAVAILABLE',
      message:
        'a store this service depends on is unreachable for now (SQLSTATE 57P01); retry shortly',
    });
    expect(toErrorBody(error)).toEqual({
      code: 'E_UNAVAILABLE',
      message:
        'a store this service depends on is unreachable for now (SQLSTATE 57P01); retry shortly',
    });
    expect(unavailableErrorOf(new Error('bug'))).toBeUndefined();
  });
});
