import { describe, expect, it } from 'vitest';
import { agentCard, createCardSigner } from '../../../apps/a2a-peer/src/cards.ts';
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

describe('keys card-key', () => {
  it('prints a new EC P-256 key, offline, that the A2A peer signs cards with', async () => {
    const first = await cli(['keys', 'card-key', '--json']);
    expect(first.code).toBe(0);
    const key = JSON.parse(first.stdout) as { kid: string; privateJwk: Record<string, unknown> };
    expect(key.kid).toMatch(/^card-\d{8}-[0-9a-f]{6}$/);
    expect(key.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof key.privateJwk.d).toBe('string');
    const second = JSON.parse((await cli(['keys', 'card-key', '--json'])).stdout) as typeof key;
    expect(second.privateJwk.d).not.toBe(key.privateJwk.d);

    const signer = await createCardSigner([key]);
    const card = agentCard(
      { publicUrl: 'https://a2a.example', organization: 'Example' },
      {
        id: 'scribe',
        name: 'Scribe',
        version: '1.0.0',
        description: null,
        capabilities: [],
        labels: {},
        status: 'connected',
        gatewayId: null,
        connectionId: null,
        registeredBy: 'key:k',
        registeredAt: '2026-11-26T00:00:00.000Z',
        connectedAt: null,
        disconnectedAt: null,
        disconnectReason: null,
      },
    );
    // The peer's own signer takes it: it signs with it and publishes its public half.
    const signed = await signer.sign(card);
    const [signature] = signed.signatures as { protected: string }[];
    expect(JSON.parse(Buffer.from(signature?.protected ?? '', 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid: key.kid,
      typ: 'JOSE',
    });
    expect(signer.jwks.keys).toEqual([
      expect.objectContaining({ kid: key.kid, kty: 'EC', crv: 'P-256', use: 'sig' }),
    ]);
    expect(signer.jwks.keys[0]?.d).toBeUndefined();
  });

  it('shows the setting that installs it', async () => {
    const { code, stdout } = await cli(['keys', 'card-key']);
    expect(code).toBe(0);
    const line = stdout.split('\n').find((text) => text.includes('SB_A2A__SIGNING__KEYS='));
    const value = /SB_A2A__SIGNING__KEYS='(.*)'/.exec(line ?? '')?.[1] ?? '';
    const keys = JSON.parse(value) as { kid: string; privateJwk: { kty: string } }[];
    expect(keys).toHaveLength(1);
    expect(stdout).toContain(`kid: ${keys[0]?.kid}`);
    expect(keys[0]?.privateJwk.kty).toBe('EC');
  });
});
