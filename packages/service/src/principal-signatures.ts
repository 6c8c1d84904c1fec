import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  createPrincipalSigner,
  createPrincipalVerifier,
  type PrincipalSigner,
  type PrincipalVerifier,
  parsePrincipalPrivateKey,
  parsePrincipalPublicKey,
} from '@switchboard/authz';
import { PrincipalPublicKeysSchema, type PrincipalSettings } from '@switchboard/config';
import { SbError, type ServiceShortName } from '@switchboard/protocol';

/** The services that resolve outside credentials, and so alone attach and sign principals. */
export const PRINCIPAL_SIGNING_SERVICES: readonly ServiceShortName[] = ['gateway', 'tools', 'a2a'];

/** What a service signs and verifies principals with (see {@link loadPrincipalSignatures}). */
export interface PrincipalSignatures {
  /** Present in a signing service that holds the private key. */
  signer: PrincipalSigner | undefined;
  /** Present when `principals.mode` is `enforce`. */
  verifier: PrincipalVerifier | undefined;
}

async function readSecretFile(setting: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code;
    throw new SbError('E_VALIDATION', `${setting} ${path} cannot be read (${reason})`, {
      cause: error,
    });
  }
}

async function publicKeysOf(settings: PrincipalSettings): Promise<Map<string, KeyObject>> {
  const keys = new Map<string, KeyObject>();
  const add = (keyId: string, base64: string, source: string) => {
    const key = parsePrincipalPublicKey(base64, `principal public key ${keyId} (${source})`);
    const known = keys.get(keyId);
    if (known !== undefined && !known.equals(key)) {
      throw new SbError(
        'E_VALIDATION',
        `principal public key ${keyId} is given twice with different keys (principals.publicKeys and ${source})`,
      );
    }
    keys.set(keyId, key);
  };
  for (const [keyId, key] of Object.entries(settings.publicKeys)) {
    add(keyId, key, 'principals.publicKeys');
  }
  const path = settings.publicKeyFile;
  if (path !== undefined) {
    const invalid = (reason: string) =>
      new SbError(
        'E_VALIDATION',
        `principals.publicKeyFile ${path} must be a JSON object {keyId: base64 public key}: ${reason}`,
      );
    let json: unknown;
    try {
      json = JSON.parse(await readSecretFile('principals.publicKeyFile', path));
    } catch (error) {
      if (error instanceof SbError) throw error;
      throw invalid('not JSON');
    }
    const parsed = PrincipalPublicKeysSchema.safeParse(json);
    if (!parsed.success) {
      throw invalid(
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    }
    for (const [keyId, key] of Object.entries(parsed.data)) add(keyId, key, path);
  }
  return keys;
}

async function signerOf(
  settings: PrincipalSettings,
  publicKeys: Map<string, KeyObject>,
): Promise<PrincipalSigner | undefined> {
  const { signingKeyId: keyId, signingKeyFile } = settings;
  const base64 =
    signingKeyFile === undefined
      ? settings.signingKey
      : (await readSecretFile('principals.signingKeyFile', signingKeyFile)).trim();
  if (base64 === undefined || keyId === undefined) return undefined;
  const signer = createPrincipalSigner({
    keyId,
    privateKey: parsePrincipalPrivateKey(base64, `principal signing key ${keyId}`),
    ttlMs: settings.ttlMs,
  });
  const listed = publicKeys.get(keyId);
  if (listed !== undefined && !listed.equals(signer.publicKey)) {
    throw new SbError(
      'E_VALIDATION',
      `principal public key ${keyId} is not the public half of principals.signingKey ${keyId}: give every service the public key that \`switchboard keys principal-key\` printed with it`,
    );
  }
  // A signer accepts what it signs itself, listed or not.
  publicKeys.set(keyId, signer.publicKey);
  return signer;
}

/**
 * The signer and verifier the `principals` settings describe for `service`: only the gateway,
 * tool-registry and a2a-peer load the private key; every service verifies when the mode is
 * `enforce`. Error messages name settings and key ids, never a key.
 * @throws SbError `E_VALIDATION` for an unreadable or invalid key or key file, a public key that
 *   is not the signing key's, `enforce` without public keys, or a signing service in `enforce`
 *   without a signing key.
 */
export async function loadPrincipalSignatures(
  settings: PrincipalSettings,
  service: ServiceShortName,
): Promise<PrincipalSignatures> {
  const publicKeys = await publicKeysOf(settings);
  const signs = PRINCIPAL_SIGNING_SERVICES.includes(service);
  const signer = signs ? await signerOf(settings, publicKeys) : undefined;
  if (settings.mode === 'off') return { signer, verifier: undefined };
  if (signs && signer === undefined) {
    throw new SbError(
      'E_VALIDATION',
      `principals.mode is enforce, so ${service} must sign the principals it attaches: set principals.signingKeyId and principals.signingKey or principals.signingKeyFile (switchboard keys principal-key)`,
    );
  }
  if (publicKeys.size === 0) {
    throw new SbError(
      'E_VALIDATION',
      'principals.mode is enforce, but no public key is configured: set principals.publicKeys or principals.publicKeyFile (switchboard keys principal-key)',
    );
  }
  return { signer, verifier: createPrincipalVerifier({ publicKeys }) };
}
