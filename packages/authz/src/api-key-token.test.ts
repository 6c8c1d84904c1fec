import { describe, expect, it } from 'vitest';
import { apiKeyIdOf, hashToken, mintApiKey, tokenMatches } from './api-key-token.ts';

describe('API key tokens', () => {
  it('mint a public key id, a 256-bit secret and the SHA-256 of the token', () => {
    const key = mintApiKey();
    expect(key.token).toMatch(/^sbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.token.slice(21), 'base64url')).toHaveLength(32);
    expect(key.sha256).toBe(hashToken(key.token));
    expect(key.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyIdOf(key.token)).toBe(key.keyId);
    expect(mintApiKey().keyId).not.toBe(key.keyId);
  });

  it('tell a key from anything else', () => {
    expect(apiKeyIdOf('eyJhbGciOiJFUzI1NiJ9.e30.sig')).toBeUndefined();
    expect(apiKeyIdOf('sbk_short_x')).toBeUndefined();
    expect(apiKeyIdOf(`${mintApiKey().token}x`)).toBeUndefined();
  });

  it('match a token only against its own hash', () => {
    const key = mintApiKey();
    expect(tokenMatches(key.token, key.sha256)).toBe(true);
    expect(tokenMatches(mintApiKey().token, key.sha256)).toBe(false);
    expect(tokenMatches(key.token, 'abcd')).toBe(false);
  });
});
