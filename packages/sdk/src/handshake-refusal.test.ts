import { describe, expect, it } from 'vitest';
import { handshakeRefusal, parseRetryAfterMs } from './handshake-refusal.ts';

describe('handshakeRefusal', () => {
  it("keeps the code and detail of the gateway's problem+json", () => {
    const error = handshakeRefusal(
      401,
      JSON.stringify({
        title: 'E_UNAUTHORIZED',
        status: 401,
        detail: 'the JWT has expired',
        code: 'E_UNAUTHORIZED',
      }),
      undefined,
    );
    expect(error).toMatchObject({
      name: 'SbError',
      code: 'E_UNAUTHORIZED',
      message: 'the gateway refused the connection (HTTP 401): the JWT has expired',
      details: { status: 401 },
    });
  });

  it('falls back to the code of the status when the body names none', () => {
    const cases: Array<[number, string]> = [
      [400, 'E_VALIDATION'],
      [401, 'E_UNAUTHORIZED'],
      [403, 'E_FORBIDDEN'],
      [404, 'E_NOT_FOUND'],
      [413, 'E_PAYLOAD_TOO_LARGE'],
      [429, 'E_RATE_LIMITED'],
      [502, 'E_UNAVAILABLE'],
      [503, 'E_UNAVAILABLE'],
      [504, 'E_TIMEOUT'],
      [418, 'E_UNAVAILABLE'],
    ];
    for (const [status, code] of cases) {
      const error = handshakeRefusal(status, '<html>proxy page</html>', undefined);
      expect(error).toMatchObject({
        code,
        message: `the gateway refused the connection (HTTP ${status}): HTTP ${status}`,
      });
    }
    expect(
      handshakeRefusal(403, JSON.stringify({ code: 'E_MADE_UP', detail: '' }), undefined),
    ).toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'the gateway refused the connection (HTTP 403): HTTP 403',
    });
    expect(handshakeRefusal(401, 'null', undefined).code).toBe('E_UNAUTHORIZED');
  });

  it('carries Retry-After as retryAfterMs', () => {
    expect(handshakeRefusal(429, '', '2').details).toEqual({ status: 429, retryAfterMs: 2000 });
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfterMs('1.5', now)).toBe(1500);
    expect(parseRetryAfterMs('Tue, 01 Jan 2030 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Mon, 31 Dec 2029 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('-3', now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(' ', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
