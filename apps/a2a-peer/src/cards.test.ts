import { A2A_PROTOCOL_VERSION, type AgentCard, verifyAgentCardSignature } from '@a2a-js/sdk';
import type { AgentRecord } from '@switchboard/protocol';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  agentCard,
  basePathOf,
  buildCard,
  type CardSettings,
  createCardSigner,
  LEGACY_PROTOCOL_VERSION,
  orchestratorCard,
  skillOf,
} from './cards.ts';

const settings: CardSettings = {
  publicUrl: 'https://a2a.example/',
  organization: 'Example Org',
};

const agent = (id: string, fields: Partial<AgentRecord> = {}): AgentRecord => ({
  id,
  name: `${id} name`,
  version: '2.1.0',
  description: `${id} description`,
  capabilities: [],
  labels: { a2a: 'public' },
  status: 'connected',
  gatewayId: 'gw-a',
  connectionId: 'c-1',
  registeredBy: 'key:k',
  registeredAt: '2026-11-26T01:00:00.000Z',
  connectedAt: '2026-11-26T01:00:00.000Z',
  disconnectedAt: null,
  disconnectReason: null,
  ...fields,
});

const privateJwk = async (alg: 'ES256' | 'EdDSA' | 'RS256') =>
  exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey);

/** A verifier that finds keys in `jwks`, as a remote peer reads them from /.well-known/jwks.json. */
const verifierOf = (jwks: { keys: JWK[] }) =>
  verifyAgentCardSignature(async (kid) => {
    const key = jwks.keys.find((candidate) => candidate.kid === kid);
    if (key === undefined) throw new Error(`no key ${kid}`);
    return key;
  });

describe('skillOf', () => {
  it('describes a skill from the capability’s metadata', () => {
    expect(
      skillOf(
        {
          name: 'translate',
          metadata: {
            name: 'Translate',
            description: 'Translates text',
            tags: ['language', 7, 'text'],
            examples: ['to French: hello'],
            inputModes: ['text/plain'],
            outputModes: ['text/plain', 'application/json'],
          },
        },
        'polyglot',
      ),
    ).toEqual({
      id: 'translate',
      name: 'Translate',
      description: 'Translates text',
      tags: ['language', 'text'],
      examples: ['to French: hello'],
      inputModes: ['text/plain'],
      outputModes: ['text/plain', 'application/json'],
      securityRequirements: [],
    });
  });

  it('falls back to the capability name and the agent for what the metadata lacks', () => {
    const expected = {
      id: 'summarize',
      name: 'summarize',
      description: 'summarize, as scribe does it',
      tags: [],
      examples: [],
      inputModes: [],
      outputModes: [],
      securityRequirements: [],
    };
    expect(skillOf({ name: 'summarize' }, 'scribe')).toEqual(expected);
    expect(
      skillOf(
        { name: 'summarize', metadata: { name: '', description: 42, tags: 'one', examples: {} } },
        'scribe',
      ),
    ).toEqual(expected);
  });
});

describe('buildCard', () => {
  it('lists JSON-RPC and HTTP+JSON for v1.0 and v0.3 under the target’s path, with bearer auth', () => {
    const card = buildCard({
      settings,
      target: { kind: 'agent', agentId: 'a b/c' },
      name: 'n',
      description: 'd',
      version: '1.0.0',
      skills: [],
    });
    const base = 'https://a2a.example/agents/a%20b%2Fc';
    expect(
      card.supportedInterfaces.map((i) => [i.protocolVersion, i.protocolBinding, i.url]),
    ).toEqual([
      [A2A_PROTOCOL_VERSION, 'JSONRPC', `${base}/jsonrpc`],
      [A2A_PROTOCOL_VERSION, 'HTTP+JSON', `${base}/rest`],
      [LEGACY_PROTOCOL_VERSION, 'JSONRPC', `${base}/jsonrpc`],
      [LEGACY_PROTOCOL_VERSION, 'HTTP+JSON', `${base}/rest`],
    ]);
    expect(card.capabilities).toMatchObject({
      streaming: true,
      pushNotifications: true,
      extendedAgentCard: true,
    });
    expect(card.securitySchemes.bearer?.scheme).toMatchObject({
      $case: 'httpAuthSecurityScheme',
      value: { scheme: 'Bearer' },
    });
    expect(card.securityRequirements).toEqual([{ schemes: { bearer: { list: [] } } }]);
    expect(card.provider).toEqual({ organization: 'Example Org', url: 'https://a2a.example/' });
    expect(card.signatures).toEqual([]);
  });

  it('serves the orchestrator at the root and names the configured provider URL', () => {
    const card = buildCard({
      settings: { ...settings, organizationUrl: 'https://example.org' },
      target: { kind: 'orchestrator' },
      name: 'n',
      description: 'd',
      version: '1.0.0',
      skills: [],
    });
    expect(card.supportedInterfaces[0]?.url).toBe('https://a2a.example/jsonrpc');
    expect(card.provider?.url).toBe('https://example.org');
    expect(basePathOf({ kind: 'orchestrator' })).toBe('');
    expect(basePathOf({ kind: 'agent', agentId: 'x' })).toBe('/agents/x');
  });
});

describe('agentCard', () => {
  it('names the agent, its version and description, with a skill per capability', () => {
    const card = agentCard(
      settings,
      agent('scribe', { capabilities: [{ name: 'summarize' }, { name: 'translate' }] }),
    );
    expect(card).toMatchObject({
      name: 'scribe name',
      description: 'scribe description',
      version: '2.1.0',
    });
    expect(card.skills.map((skill) => skill.id)).toEqual(['summarize', 'translate']);
  });

  it('describes an agent that gave no description', () => {
    expect(agentCard(settings, agent('quiet', { description: null })).description).toBe(
      'quiet name, a Switchboard agent',
    );
  });
});

describe('orchestratorCard', () => {
  it('offers each capability of any published agent once, sorted, described by the first agent by id', () => {
    const card = orchestratorCard(
      settings,
      { name: 'Switchboard', description: 'Routes', version: '0.1.0' },
      [
        agent('zeta', {
          capabilities: [{ name: 'echo', metadata: { description: 'from zeta' } }, { name: 'b' }],
        }),
        agent('alpha', {
          capabilities: [{ name: 'echo', metadata: { description: 'from alpha' } }, { name: 'a' }],
        }),
      ],
    );
    expect(card.name).toBe('Switchboard');
    expect(card.supportedInterfaces[0]?.url).toBe('https://a2a.example/jsonrpc');
    expect(card.skills.map((skill) => [skill.id, skill.description])).toEqual([
      ['a', 'a, as alpha name does it'],
      ['b', 'b, as zeta name does it'],
      ['echo', 'from alpha'],
    ]);
  });

  it('has no skills when no agent is published', () => {
    expect(
      orchestratorCard(settings, { name: 'S', description: 'd', version: '1' }, []).skills,
    ).toEqual([]);
  });
});

describe('createCardSigner', () => {
  const card = (): AgentCard => agentCard(settings, agent('scribe'));

  it('serves unsigned cards and an empty JWKS without keys', async () => {
    const signer = await createCardSigner([]);
    expect(signer.key).toBeUndefined();
    expect(signer.jwks).toEqual({ keys: [] });
    const json = await signer.sign(card());
    expect(json.name).toBe('scribe name');
    expect(json.signatures ?? []).toEqual([]);
  });

  it('signs with the first key (ES256 for EC) and publishes every public key without its private part', async () => {
    const first = await privateJwk('ES256');
    const second = await privateJwk('EdDSA');
    const signer = await createCardSigner([
      { kid: 'card-1', privateJwk: first },
      { kid: 'card-2', privateJwk: second },
    ]);
    expect(signer.key).toMatchObject({ kid: 'card-1', alg: 'ES256' });
    expect(signer.jwks.keys.map((key) => [key.kid, key.alg, key.use])).toEqual([
      ['card-1', 'ES256', 'sig'],
      ['card-2', 'EdDSA', 'sig'],
    ]);
    for (const key of signer.jwks.keys) expect(key.d).toBeUndefined();

    const signed = await signer.sign(card());
    const [signature] = signed.signatures as { protected: string; signature: string }[];
    expect(
      JSON.parse(Buffer.from(signature?.protected ?? '', 'base64url').toString('utf8')),
    ).toEqual({ alg: 'ES256', kid: 'card-1', typ: 'JOSE' });
    const verify = verifierOf(signer.jwks);
    await expect(verify(signed as unknown as AgentCard)).resolves.toBeUndefined();
    await expect(
      verify({ ...signed, description: 'tampered' } as unknown as AgentCard),
    ).rejects.toThrow(/No valid signatures/);
  });

  it('signs with EdDSA for an Ed25519 key and keeps an algorithm the JWK names', async () => {
    const ed = await createCardSigner([{ kid: 'ed', privateJwk: await privateJwk('EdDSA') }]);
    expect(ed.key?.alg).toBe('EdDSA');
    await expect(
      verifierOf(ed.jwks)((await ed.sign(card())) as unknown as AgentCard),
    ).resolves.toBeUndefined();
    const named = await createCardSigner([
      { kid: 'named', privateJwk: { ...(await privateJwk('ES256')), alg: 'ES256' } },
    ]);
    expect(named.key?.alg).toBe('ES256');
  });

  it('refuses an RSA or a symmetric key, naming the key and what to use', async () => {
    await expect(
      createCardSigner([{ kid: 'rsa-1', privateJwk: await privateJwk('RS256') }]),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringMatching(/rsa-1 is a RSA key; use an EC \(P-256\) or OKP/),
    });
    await expect(
      createCardSigner([
        { kid: 'oct-1', privateJwk: { kty: 'oct', k: Buffer.alloc(32).toString('base64url') } },
      ]),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
      message: expect.stringContaining('oct-1 is a oct key'),
    });
  });
});
