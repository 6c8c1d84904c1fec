import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintPrincipalKeyPair } from '@switchboard/authz';
import { type PrincipalSettings, PrincipalsSchema } from '@switchboard/config';
import { isSbError, type ServiceShortName } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrincipalSignatures } from './principal-signatures.ts';

const one = mintPrincipalKeyPair();
const two = mintPrincipalKeyPair();
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sb-principal-keys-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const settingsOf = (input: Record<string, unknown>): PrincipalSettings =>
  PrincipalsSchema.parse(input);

async function file(name: string, text: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, text);
  return path;
}

async function failureOf(input: Record<string, unknown>, service: ServiceShortName = 'gateway') {
  try {
    await loadPrincipalSignatures(settingsOf(input), service);
  } catch (error) {
    if (isSbError(error)) return error.message;
    throw error;
  }
  throw new Error('expected the keys to be refused');
}

describe('loadPrincipalSignatures', () => {
  it('gives the signing key to the gateway, tools and a2a only, and verifies everywhere in enforce', async () => {
    const input = {
      mode: 'enforce',
      signingKeyId: one.keyId,
      signingKey: one.privateKey,
      publicKeys: { [one.keyId]: one.publicKey, [two.keyId]: two.publicKey },
    };
    for (const service of ['gateway', 'tools', 'a2a'] as const) {
      const { signer, verifier } = await loadPrincipalSignatures(settingsOf(input), service);
      expect(signer?.keyId).toBe(one.keyId);
      expect(verifier).toBeDefined();
    }
    for (const service of ['router', 'state', 'tasks'] as const) {
      const { signer, verifier } = await loadPrincipalSignatures(settingsOf(input), service);
      expect(signer).toBeUndefined();
      // Rotation: signatures of either key verify.
      const gateway = await loadPrincipalSignatures(settingsOf(input), 'gateway');
      const header = '{"id":"key:k"}';
      expect(() => verifier?.verify(header, gateway.signer?.sign(header))).not.toThrow();
    }
  });

  it('reads keys from files (mounted secrets), the signer trusting its own public half', async () => {
    const signingKeyFile = await file('signing.key', `${two.privateKey}\n`);
    const publicKeyFile = await file('public.json', JSON.stringify({ [one.keyId]: one.publicKey }));
    const { signer, verifier } = await loadPrincipalSignatures(
      settingsOf({ mode: 'enforce', signingKeyId: two.keyId, signingKeyFile, publicKeyFile }),
      'a2a',
    );
    const header = '{"id":"agent:a"}';
    expect(() => verifier?.verify(header, signer?.sign(header))).not.toThrow();
    // Off: a signer still signs (turn signing on everywhere first, then enforce).
    const off = await loadPrincipalSignatures(
      settingsOf({ signingKeyId: two.keyId, signingKeyFile }),
      'tools',
    );
    expect(off.signer?.keyId).toBe(two.keyId);
    expect(off.verifier).toBeUndefined();
  });

  it('refuses to start on keys that cannot work, naming settings and never a key', async () => {
    const missing = join(folder, 'nope.json');
    const messages = [
      await failureOf({ mode: 'enforce', publicKeys: { [one.keyId]: one.publicKey } }),
      await failureOf({ mode: 'enforce' }, 'state'),
      await failureOf({ publicKeyFile: missing }),
      await failureOf({ publicKeyFile: await file('bad.json', `{"${one.keyId}": nope`) }),
      await failureOf({ publicKeyFile: await file('shape.json', '{"a:b": "QUJD"}') }),
      await failureOf({
        publicKeys: { [one.keyId]: one.publicKey },
        publicKeyFile: await file('twice.json', JSON.stringify({ [one.keyId]: two.publicKey })),
      }),
      await failureOf({
        signingKeyId: one.keyId,
        signingKey: one.privateKey,
        publicKeys: { [one.keyId]: two.publicKey },
      }),
      await failureOf({ signingKeyId: one.keyId, signingKeyFile: missing }),
    ];
    expect(messages).toEqual([
      expect.stringContaining('principals.mode is enforce, so gateway must sign'),
      expect.stringContaining('principals.mode is enforce, but no public key is configured'),
      `principals.publicKeyFile ${missing} cannot be read (ENOENT)`,
      expect.stringContaining('must be a JSON object {keyId: base64 public key}: not JSON'),
      expect.stringContaining('a:b: must be 1-64 of'),
      expect.stringContaining(`principal public key ${one.keyId} is given twice`),
      expect.stringContaining(`is not the public half of principals.signingKey ${one.keyId}`),
      `principals.signingKeyFile ${missing} cannot be read (ENOENT)`,
    ]);
    for (const message of messages) {
      for (const key of [one.privateKey, one.publicKey, two.publicKey]) {
        expect(message).not.toContain(key);
      }
    }
  });

  it('checks the settings: a key needs its id, and is given once', () => {
    const issues = (input: Record<string, unknown>) =>
      PrincipalsSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));
    expect(issues({ signingKey: one.privateKey })).toEqual(['signingKeyId']);
    expect(
      issues({ signingKeyId: 'a', signingKey: one.privateKey, signingKeyFile: '/run/key' }),
    ).toEqual(['signingKeyFile']);
    expect(issues({ publicKeys: { a: 'not base64!' } })).toEqual(['publicKeys.a']);
    expect(PrincipalsSchema.parse({})).toEqual({
      mode: 'off',
      ttlMs: 3_600_000,
      publicKeys: {},
    });
  });
});
