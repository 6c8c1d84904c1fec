import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key token: `sbk_<key id>_<secret>`. The key id (16 hex) is public: it names the key in
 * lists, logs and revocations. The secret is 256 random bits (43 base64url characters). Only the
 * SHA-256 of the whole token is stored: a fast hash, since the secret is random and long, so
 * nothing slows down connects.
 */
const TOKEN_PATTERN = /^sbk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly minted key: the token (shown once) and what is stored. */
export interface MintedKey {
  keyId: string;
  token: string;
  sha256: string;
}

/** The SHA-256 of a token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Mints a new API key. */
export function mintApiKey(): MintedKey {
  const keyId = randomBytes(8).toString('hex');
  const token = `sbk_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, token, sha256: hashToken(token) };
}

/** The key id of a well-formed API key token, or undefined for anything else (a JWT, garbage). */
export function apiKeyIdOf(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

/** Compares a token with a stored hash in constant time. */
export function tokenMatches(token: string, sha256: string): boolean {
  const expected = Buffer.from(sha256, 'hex');
  const actual = Buffer.from(hashToken(token), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
