import {
  createPrincipalSigner,
  createPrincipalVerifier,
  parsePrincipalPrivateKey,
  parsePrincipalPublicKey,
} from '@switchboard/authz';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await runCli(args, {
    env: {},
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => undefined,
  });
  return { code, stdout };
}

describe('keys principal-key', () => {
  it('prints a new Ed25519 pair, offline, whose private half signs what the public half verifies', async () => {
    const { code, stdout } = await cli(['keys', 'principal-key', '--json']);
    expect(code).toBe(0);
    const pair = JSON.parse(stdout) as { keyId: string; privateKey: string; publicKey: string };
    expect(pair.keyId).toMatch(/^ppk-\d{8}-[0-9a-f]{6}$/);
    const signer = createPrincipalSigner({
      keyId: pair.keyId,
      privateKey: parsePrincipalPrivateKey(pair.privateKey, 'printed'),
      ttlMs: 60_000,
    });
    const verifier = createPrincipalVerifier({
      publicKeys: new Map([[pair.keyId, parsePrincipalPublicKey(pair.publicKey, 'printed')]]),
    });
    expect(() => verifier.verify('{"id":"key:k"}', signer.sign('{"id":"key:k"}'))).not.toThrow();
    const again = JSON.parse(
      (await cli(['keys', 'principal-key', '--json'])).stdout,
    ) as typeof pair;
    expect(again.privateKey).not.toBe(pair.privateKey);
  });

  it('shows the settings that install it', async () => {
    const { code, stdout } = await cli(['keys', 'principal-key']);
    expect(code).toBe(0);
    const keyId = /keyId:\s+(\S+)/.exec(stdout)?.[1];
    expect(stdout).toContain(`SB_PRINCIPALS__SIGNING_KEY_ID=${keyId}`);
    const publicKeys = /SB_PRINCIPALS__PUBLIC_KEYS='(.*)'/.exec(stdout)?.[1] ?? '';
    expect(Object.keys(JSON.parse(publicKeys) as object)).toEqual([keyId]);
    expect(stdout).toContain('SB_PRINCIPALS__MODE=enforce');
  });
});
