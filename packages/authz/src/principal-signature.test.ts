import { generateKeyPairSync } from 'node:crypto';
import { isSbError, type SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { BoundedLru } from './bounded-lru.ts';
import { encodePrincipal } from './codec.ts';
import {
  mintPrincipalKeyPair,
  parsePrincipalPrivateKey,
  parsePrincipalPublicKey,
} from './principal-keys.ts';
import { createPrincipalSigner, createPrincipalVerifier } from './principal-signature.ts';

const header = encodePrincipal({
  id: 'agent:scribe',
  credential: { type: 'api_key', id: 'k1' },
  agentIds: ['scribe'],
  roles: [],
  grants: [{ kind: 'publish', topics: ['news.>'] }],
});
const other = encodePrincipal({
  id: 'key:admin',
  credential: { type: 'api_key', id: 'admin' },
  agentIds: [],
  roles: ['admin'],
  grants: [],
});

function keyPair(keyId: string) {
  const minted = mintPrincipalKeyPair();
  return {
    keyId,
    privateKey: parsePrincipalPrivateKey(minted.privateKey, 'test key'),
    publicKey: parsePrincipalPublicKey(minted.publicKey, 'test key'),
  };
}

function refusal(run: () => void): SbError {
  try {
    run();
  } catch (error) {
    if (isSbError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const reasonOf = (run: () => void) => (refusal(run).details as { reason: string }).reason;

describe('principal signatures', () => {
  const one = keyPair('ppk-1');
  const two = keyPair('ppk-2');
  let clock = 1_000_000;
  const now = () => clock;
  const signer = createPrincipalSigner({ ...one, ttlMs: 60_000, now });
  const verifier = createPrincipalVerifier({
    publicKeys: new Map([
      [one.keyId, one.publicKey],
      [two.keyId, two.publicKey],
    ]),
    now,
  });

  it('signs a header once and reuses the signature until a quarter of its ttl remains', () => {
    const first = signer.sign(header);
    expect(first).toMatch(/^ppk-1:1060000:[A-Za-z0-9_-]{86}$/);
    clock += 44_999;
    expect(signer.sign(header)).toBe(first);
    clock += 1;
    const renewed = signer.sign(header);
    expect(renewed).not.toBe(first);
    expect(renewed.startsWith('ppk-1:1105000:')).toBe(true);
    expect(signer.sign(other)).not.toBe(renewed);
  });

  it('accepts a signature of the exact header by a known key until it expires', () => {
    clock = 2_000_000;
    const signature = signer.sign(header);
    expect(() => verifier.verify(header, signature)).not.toThrow();
    // Remembered: the same pair again, and again after the verifier saw other headers.
    expect(() => verifier.verify(header, signature)).not.toThrow();
    clock += 60_000;
    expect(reasonOf(() => verifier.verify(header, signature))).toBe('expired');
  });

  it('refuses an unsigned, malformed, unknown-key, tampered or borrowed signature', () => {
    clock = 3_000_000;
    const signature = signer.sign(header);
    const unsigned = refusal(() => verifier.verify(header, undefined));
    expect(unsigned.code).toBe('E_UNAUTHORIZED');
    expect(unsigned.details).toEqual({ reason: 'unsigned' });
    expect(reasonOf(() => verifier.verify(header, 'nonsense'))).toBe('malformed');
    const [, expiry, bytes] = signature.split(':');
    expect(reasonOf(() => verifier.verify(header, `ppk-9:${expiry}:${bytes}`))).toBe('unknown_key');
    // Another key id with the same bytes, a later expiry, or a signature of another header.
    expect(reasonOf(() => verifier.verify(header, `ppk-2:${expiry}:${bytes}`))).toBe('invalid');
    expect(reasonOf(() => verifier.verify(header, `ppk-1:${Number(expiry) + 1}:${bytes}`))).toBe(
      'invalid',
    );
    expect(reasonOf(() => verifier.verify(other, signature))).toBe('invalid');
    const forged = createPrincipalSigner({ ...keyPair('ppk-1'), ttlMs: 60_000, now });
    const refused = refusal(() => verifier.verify(header, forged.sign(header)));
    expect(refused.details).toEqual({ reason: 'invalid', keyId: 'ppk-1' });
    expect(refused.message).not.toContain(header);
  });

  it('refuses a signature that expired before it was first seen', () => {
    clock = 4_000_000;
    const signature = signer.sign(other);
    clock += 60_000;
    expect(reasonOf(() => verifier.verify(other, signature))).toBe('expired');
  });

  it('accepts every key of a rotation: signatures of the old and the new key', () => {
    clock = 5_000_000;
    const next = createPrincipalSigner({ ...two, ttlMs: 60_000, now });
    expect(() => verifier.verify(header, next.sign(header))).not.toThrow();
    expect(() => verifier.verify(header, signer.sign(header))).not.toThrow();
  });

  it('signs with the real clock by default', () => {
    const live = createPrincipalSigner({ ...one, ttlMs: 60_000 });
    const liveVerifier = createPrincipalVerifier({
      publicKeys: new Map([['ppk-1', one.publicKey]]),
    });
    expect(() => liveVerifier.verify(header, live.sign(header))).not.toThrow();
  });

  it('refuses keys that cannot sign or verify principals', () => {
    const { privateKey: rsa, publicKey: rsaPublic } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
    });
    const sign = (options: Partial<Parameters<typeof createPrincipalSigner>[0]>) =>
      refusal(() => createPrincipalSigner({ ...one, ttlMs: 1000, ...options })).message;
    expect(sign({ keyId: 'a:b' })).toContain('is not 1-64 of');
    expect(sign({ privateKey: one.publicKey })).toContain('is not a private key');
    expect(sign({ privateKey: rsa })).toContain('is not an Ed25519 key');
    expect(
      refusal(() => createPrincipalVerifier({ publicKeys: new Map([['r', rsaPublic]]) })).message,
    ).toBe('principal public key r is not an Ed25519 key');
  });
});

describe('principal keys', () => {
  it('mints Ed25519 pairs as base64 DER with a dated id', () => {
    const pair = mintPrincipalKeyPair(new Date('2026-11-26T10:00:00Z'));
    expect(pair.keyId).toMatch(/^ppk-20261126-[0-9a-f]{6}$/);
    expect(parsePrincipalPrivateKey(pair.privateKey, 'k').asymmetricKeyType).toBe('ed25519');
    expect(parsePrincipalPublicKey(pair.publicKey, 'k').type).toBe('public');
    expect(mintPrincipalKeyPair().privateKey).not.toBe(pair.privateKey);
  });

  it('refuses what is not an Ed25519 key, naming the setting and never the text', () => {
    const garbage = refusal(() => parsePrincipalPrivateKey('c2VjcmV0', 'principals.signingKey'));
    expect(garbage.message).toBe('principals.signingKey is not base64 DER');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    expect(refusal(() => parsePrincipalPublicKey(rsa, 'key r')).message).toBe(
      'key r is not an Ed25519 key',
    );
  });
});

describe('BoundedLru', () => {
  it('keeps at most its bound, forgetting what was not used for longest', () => {
    const lru = new BoundedLru<string, number>(4);
    lru.set('a', 1);
    lru.set('b', 2);
    // Young is full: a and b become the old generation.
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // used again: back to young, beside c
    lru.set('d', 4); // young full again: a and c become old, b is dropped
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4]);
    expect(lru.size).toBeLessThanOrEqual(4);
    lru.set('d', 5); // replacing a young entry drops nothing
    expect(lru.get('d')).toBe(5);
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(4);
    const tiny = new BoundedLru<string, number>(0);
    tiny.set('a', 1);
    tiny.set('b', 2);
    expect(tiny.size).toBe(2);
    expect(tiny.get('b')).toBe(2);
  });
});
