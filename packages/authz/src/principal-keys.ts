import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { SbError } from '@switchboard/protocol';

// Keys travel as base64 DER (PKCS#8 private, SPKI public): one line for an env var or a secret
// file, and what `openssl genpkey -algorithm ed25519 -outform DER | base64` prints as well.

/** A new principal signing key pair (see {@link mintPrincipalKeyPair}). */
export interface PrincipalKeyPair {
  keyId: string;
  /** PKCS#8 DER as base64: a secret for the gateway, tool-registry and a2a-peer only. */
  privateKey: string;
  /** SPKI DER as base64: for every service. */
  publicKey: string;
}

/** A new Ed25519 key pair and an id naming the day it was made (`ppk-YYYYMMDD-<random>`). */
export function mintPrincipalKeyPair(now = new Date()): PrincipalKeyPair {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: `ppk-${day}-${randomBytes(3).toString('hex')}`,
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

function ed25519(read: () => KeyObject, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = read();
  } catch (cause) {
    // The cause names only the DER problem, never the key.
    throw new SbError('E_VALIDATION', `${what} is not base64 DER`, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SbError('E_VALIDATION', `${what} is not an Ed25519 key`);
  }
  return key;
}

/**
 * Reads a base64 PKCS#8 Ed25519 private key.
 * @throws SbError `E_VALIDATION` naming `what`, never the key.
 */
export function parsePrincipalPrivateKey(base64: string, what: string): KeyObject {
  return ed25519(
    () => createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' }),
    what,
  );
}

/**
 * Reads a base64 SPKI Ed25519 public key.
 * @throws SbError `E_VALIDATION` naming `what`.
 */
export function parsePrincipalPublicKey(base64: string, what: string): KeyObject {
  return ed25519(
    () => createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' }),
    what,
  );
}
