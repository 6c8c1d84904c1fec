import { describe, expect, it } from 'vitest';
import { checkOrigin, extractBearerToken } from './credentials.ts';

describe('extractBearerToken', () => {
  it('reads a Bearer Authorization header', () => {
    expect(extractBearerToken({ url: '/v1/connect', authorization: 'Bearer abc.def' })).toBe(
      'abc.def',
    );
    expect(extractBearerToken({ url: '/v1/connect', authorization: 'bearer   tok' })).toBe('tok');
  });

  it('reads a browser subprotocol token beside sb.v1', () => {
    expect(extractBearerToken({ url: '/v1/connect', protocols: 'sb.v1, sb.bearer.sbk_abc' })).toBe(
      'sbk_abc',
    );
  });

  it('refuses a token in the URL, even with a header', () => {
    for (const url of [
      '/v1/connect?token=x',
      '/v1/connect?api_key=x&a=1',
      '/v1/connect?access_token=',
    ]) {
      expect(() => extractBearerToken({ url, authorization: 'Bearer ok' })).toThrow(
        expect.objectContaining({
          code: 'E_UNAUTHORIZED',
          message: expect.stringContaining('in the URL'),
        }),
      );
    }
  });

  it('refuses a missing or malformed credential with what to send', () => {
    expect(() => extractBearerToken({ url: '/v1/connect' })).toThrow(/^no credentials: /);
    expect(() =>
      extractBearerToken({ url: '/v1/connect', protocols: 'sb.v1, sb.bearer.' }),
    ).toThrow(/^no credentials: /);
    expect(() =>
      extractBearerToken({ url: '/v1/connect', authorization: 'Basic dXNlcg==' }),
    ).toThrow('the Authorization header must be `Bearer <token>`');
    expect(() => extractBearerToken({ url: '/v1/connect', authorization: '  ' })).toThrow(
      /^no credentials/,
    );
  });
});

describe('checkOrigin', () => {
  it('lets Node clients (no Origin) and allowed origins through', () => {
    expect(() => checkOrigin(undefined, [])).not.toThrow();
    expect(() => checkOrigin('https://console.example', ['https://console.example'])).not.toThrow();
    expect(() => checkOrigin('https://anything.example', ['*'])).not.toThrow();
  });

  it('refuses any other origin, naming the setting that allows it', () => {
    expect(() => checkOrigin('https://evil.example', ['https://console.example'])).toThrow(
      expect.objectContaining({
        code: 'E_FORBIDDEN',
        message: expect.stringContaining('SB_GATEWAY__ALLOWED_ORIGINS'),
      }),
    );
  });
});
