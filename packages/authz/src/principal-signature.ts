import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { SbError } from '@switchboard/protocol';
import { BoundedLru } from './bounded-lru.ts';

// Only the gateway, tool-registry and a2a-peer may vouch for a caller (DESIGN.md, Security). NATS
// permissions cannot restrict headers, so they sign `sb-principal` with an Ed25519 key that no
// other service holds, and every service that reads a caller verifies the signature with public
// keys only: a compromised router or state service can replay what it saw until it expires, but
// never mint a principal. Both ends cache, so the message path costs a map lookup.

/** A principal signing key id: 1-64 of A-Z a-z 0-9 . _ - (never `:`, the field separator). */
export const PRINCIPAL_KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why a signature was refused (the `reason` of the error's details and of security events). */
export const PrincipalSignatureFailures = [
  'unsigned',
  'malformed',
  'unknown_key',
  'expired',
  'invalid',
] as const;
export type PrincipalSignatureFailure = (typeof PrincipalSignatureFailures)[number];

const SIGNATURE_PATTERN = /^([^:]+):(\d{1,15}):([A-Za-z0-9_-]{86})$/;
const DEFAULT_MAX_ENTRIES = 10_000;

// The key id is signed too, so a signature cannot be presented as another key's.
function signedBytes(keyId: string, expiresAtMs: number, header: string): Buffer {
  return Buffer.from(`sb-principal-sig.v1\n${keyId}\n${expiresAtMs}\n${header}`, 'utf8');
}

function refused(reason: PrincipalSignatureFailure, problem: string, keyId?: string): SbError {
  return new SbError('E_UNAUTHORIZED', `the sb-principal-sig header ${problem}`, {
    details: keyId === undefined ? { reason } : { reason, keyId },
  });
}

function assertEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SbError('E_VALIDATION', `${what} is not an Ed25519 key`);
  }
}

/** Signs `sb-principal` headers (see {@link createPrincipalSigner}). */
export interface PrincipalSigner {
  /** The key id its signatures name. */
  readonly keyId: string;
  /** Its public key, which every verifier must hold. */
  readonly publicKey: KeyObject;
  /** The `sb-principal-sig` value for `header`. */
  sign(header: string): string;
}

/**
 * A signer with one private key. A header's signature is made once and reused until a quarter
 * of `ttlMs` before it expires (so a request forwarded on is still inside its validity), from a
 * bounded LRU cache: an agent sends the same header with every message.
 * @throws SbError `E_VALIDATION` when the key is not an Ed25519 private key or the id is invalid.
 */
export function createPrincipalSigner(options: {
  keyId: string;
  privateKey: KeyObject;
  ttlMs: number;
  now?: () => number;
  maxEntries?: number;
}): PrincipalSigner {
  const { keyId, privateKey, ttlMs } = options;
  if (!PRINCIPAL_KEY_ID_PATTERN.test(keyId)) {
    throw new SbError('E_VALIDATION', `principal key id ${keyId} is not 1-64 of A-Z a-z 0-9 . _ -`);
  }
  if (privateKey.type !== 'private') {
    throw new SbError('E_VALIDATION', `principal key ${keyId} is not a private key`);
  }
  assertEd25519(privateKey, `principal key ${keyId}`);
  const now = options.now ?? Date.now;
  const signatures = new BoundedLru<string, { value: string; refreshAtMs: number }>(
    options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  );
  return {
    keyId,
    publicKey: createPublicKey(privateKey),
    sign(header) {
      const at = now();
      const known = signatures.get(header);
      if (known !== undefined && at < known.refreshAtMs) return known.value;
      const expiresAtMs = at + ttlMs;
      const signature = sign(null, signedBytes(keyId, expiresAtMs, header), privateKey);
      const value = `${keyId}:${expiresAtMs}:${signature.toString('base64url')}`;
      signatures.set(header, { value, refreshAtMs: expiresAtMs - ttlMs / 4 });
      return value;
    },
  };
}

/** Verifies `sb-principal` signatures (see {@link createPrincipalVerifier}). */
export interface PrincipalVerifier {
  /**
   * Accepts `header` when `signature` is a signature of it by a known key that has not expired.
   * @throws SbError `E_UNAUTHORIZED` whose `details.reason` is a
   *   {@link PrincipalSignatureFailure}.
   */
  verify(header: string, signature: string | undefined): void;
}

/**
 * A verifier over the public keys of every signer (several during a rotation). A (header,
 * signature) pair is verified once and remembered until it expires, in a bounded LRU cache keyed
 * by the signature: later requests with the same pair cost a lookup and a string comparison.
 * @throws SbError `E_VALIDATION` when a key is not an Ed25519 public key.
 */
export function createPrincipalVerifier(options: {
  publicKeys: ReadonlyMap<string, KeyObject>;
  now?: () => number;
  maxEntries?: number;
}): PrincipalVerifier {
  for (const [keyId, key] of options.publicKeys) {
    assertEd25519(key, `principal public key ${keyId}`);
  }
  const now = options.now ?? Date.now;
  const verified = new BoundedLru<string, { header: string; expiresAtMs: number }>(
    options.maxEntries ?? DEFAULT_MAX_ENTRIES,
  );
  return {
    verify(header, signature) {
      if (signature === undefined) {
        throw refused(
          'unsigned',
          'is missing: only the gateway, tool-registry and a2a-peer vouch for a caller, and they sign what they attach',
        );
      }
      const known = verified.get(signature);
      if (known !== undefined && known.header === header) {
        if (now() < known.expiresAtMs) return;
        throw refused('expired', 'has expired');
      }
      const parts = SIGNATURE_PATTERN.exec(signature);
      if (parts === null) {
        throw refused('malformed', 'is not <keyId>:<expiresAtMs>:<base64url signature>');
      }
      const [, keyId = '', expiry = '', encoded = ''] = parts;
      const key = options.publicKeys.get(keyId);
      if (key === undefined) {
        throw refused('unknown_key', `names principal key ${keyId}, which is not known`, keyId);
      }
      const expiresAtMs = Number(expiry);
      const bytes = Buffer.from(encoded, 'base64url');
      if (!verify(null, signedBytes(keyId, expiresAtMs, header), key, bytes)) {
        throw refused('invalid', `does not verify with principal key ${keyId}`, keyId);
      }
      if (now() >= expiresAtMs) throw refused('expired', 'has expired', keyId);
      verified.set(signature, { header, expiresAtMs });
    },
  };
}
