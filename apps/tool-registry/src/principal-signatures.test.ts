import {
  createPrincipalSigner,
  mintPrincipalKeyPair,
  type PrincipalKeyPair,
  parsePrincipalPrivateKey,
} from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import {
  AgentsQueryRpc,
  ConfigGetRpc,
  isSbError,
  PayloadsReencryptRpc,
  type SecurityEvent,
  SecurityEventSchema,
  type ServiceShortName,
} from '@switchboard/protocol';
import {
  agentPrincipal,
  keyPrincipal,
  type MeshService,
  startMeshService,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// Signed principals through a real mesh in enforce mode (docs/security.md, "Signed principals"):
// each service that reads a caller refuses a principal sent straight over NATS unless the
// gateway, tool-registry or a2a-peer signed it; the gateway signs what its agents do. Two public
// keys are trusted (a rotation): the signers hold the new one, the old one still verifies.

const old = mintPrincipalKeyPair();
const active = mintPrincipalKeyPair();
const stranger = mintPrincipalKeyPair();
const ttlMs = 60_000;
const env = {
  SB_PRINCIPALS__MODE: 'enforce',
  SB_PRINCIPALS__TTL_MS: String(ttlMs),
  SB_PRINCIPALS__PUBLIC_KEYS: JSON.stringify({
    [old.keyId]: old.publicKey,
    [active.keyId]: active.publicKey,
  }),
  SB_PRINCIPALS__SIGNING_KEY_ID: active.keyId,
  SB_PRINCIPALS__SIGNING_KEY: active.privateKey,
};

const signerOf = (pair: PrincipalKeyPair, now: () => number = Date.now) =>
  createPrincipalSigner({
    keyId: pair.keyId,
    privateKey: parsePrincipalPrivateKey(pair.privateKey, pair.keyId),
    ttlMs,
    now,
  });

const admin = keyPrincipal('k_admin', ['admin']);
let mesh: ToolMesh;
let services: MeshService[] = [];
const events: SecurityEvent[] = [];

beforeAll(async () => {
  mesh = await createToolMesh(env);
  await mesh.startGateway('gw-a');
  await mesh.startRegistry();
  const common = { ...mesh.context.env, SB_LOG__LEVEL: 'warn', ...env };
  services = await Promise.all([
    startMeshService(
      'message-router',
      { ...common, SB_ROUTER__PORT: '0' },
      mesh.context.connections,
    ),
    startMeshService('state', { ...common, SB_STATE__PORT: '0' }, mesh.context.connections),
    startMeshService('task-worker', { ...common, SB_TASKS__PORT: '0' }, mesh.context.connections),
    startMeshService(
      'a2a-peer',
      { ...common, SB_A2A__PORT: '0', SB_A2A__PUBLIC_URL: 'http://127.0.0.1:1' },
      mesh.context.connections,
    ),
  ]);
  await mesh.bus.consumeEvents({
    filterSubject: mesh.bus.subjects.event('security', 'auth_failed'),
    schema: SecurityEventSchema,
    handler: async ({ payload }) => {
      events.push(payload);
    },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await mesh?.stop();
});

/** A request straight over NATS, as a service without the signing key could send it. */
async function outcome(
  bus: Bus,
  service: ServiceShortName,
  principal: string,
  principalSignature?: string,
): Promise<string> {
  try {
    await bus.request(
      bus.subjects.rpc(service, PayloadsReencryptRpc.operation),
      PayloadsReencryptRpc,
      {},
      {
        principal,
        ...(principalSignature === undefined ? {} : { principalSignature }),
      },
    );
    return 'allowed';
  } catch (error) {
    if (!isSbError(error)) throw error;
    const reason = (error.details as { reason?: string } | undefined)?.reason;
    return error.code === 'E_UNAUTHORIZED' ? `refused: ${reason}` : error.code;
  }
}

describe('signed principals in enforce mode', () => {
  const targets: ServiceShortName[] = ['router', 'state', 'tasks', 'tools', 'a2a'];

  it.each(targets)('%s refuses forged principals and serves signed ones', async (service) => {
    const { bus } = mesh;
    const valid = signerOf(active).sign(admin);
    const [keyId, expiry, signature] = valid.split(':');
    const longAgo = signerOf(old, () => Date.now() - 2 * ttlMs).sign(admin);
    const results = {
      unsigned: await outcome(bus, service, admin),
      // A signature of another principal, moved onto this one.
      borrowed: await outcome(bus, service, admin, signerOf(active).sign(agentPrincipal('x'))),
      // The expiry pushed later: the signature no longer covers it.
      extended: await outcome(
        bus,
        service,
        admin,
        `${keyId}:${Number(expiry) + ttlMs}:${signature}`,
      ),
      expired: await outcome(bus, service, admin, longAgo),
      unknownKey: await outcome(bus, service, admin, signerOf(stranger).sign(admin)),
      active: await outcome(bus, service, admin, valid),
      rotatedOut: await outcome(bus, service, admin, signerOf(old).sign(admin)),
    };
    expect(results).toEqual({
      unsigned: 'refused: unsigned',
      borrowed: 'refused: invalid',
      extended: 'refused: invalid',
      expired: 'refused: expired',
      unknownKey: 'refused: unknown_key',
      active: 'allowed',
      rotatedOut: 'allowed',
    });
  });

  it('gateway refuses a forged principal too; requests between services carry none', async () => {
    const { bus } = mesh;
    const query = (options: { principal?: string; principalSignature?: string }) =>
      bus
        .request(
          bus.subjects.rpc('gateway', AgentsQueryRpc.operation),
          AgentsQueryRpc,
          { limit: 1 },
          options,
        )
        .then(
          () => 'allowed',
          (error: unknown) => (isSbError(error) ? error.code : 'thrown'),
        );
    expect(await query({})).toBe('allowed');
    expect(await query({ principal: admin })).toBe('E_UNAUTHORIZED');
    expect(
      await query({ principal: admin, principalSignature: signerOf(active).sign(admin) }),
    ).toBe('allowed');
  });

  it('never shows the signing key: config get reports it as ***', async () => {
    const { bus } = mesh;
    const { settings } = await bus.request(
      bus.subjects.rpc('tools', ConfigGetRpc.operation),
      ConfigGetRpc,
      { key: 'principals' },
    );
    const value = (key: string) => settings.find((setting) => setting.key === key)?.value;
    expect(value('principals.signingKey')).toBe('***');
    expect(value('principals.mode')).toBe('enforce');
    expect(JSON.stringify(settings)).not.toContain(active.privateKey);
  });

  it('reports each refusal as an auth_failed event naming the subject and the reason', async () => {
    const { bus } = mesh;
    const claimed = keyPrincipal('k_forger', ['admin']);
    await outcome(bus, 'state', claimed);
    const [event] = await waitFor(
      () => {
        const found = events.filter((seen) => seen.facts?.claimedPrincipal === 'key:k_forger');
        return found.length > 0 ? found : undefined;
      },
      { what: 'the auth_failed event' },
    );
    expect(event).toMatchObject({
      service: 'state',
      code: 'E_UNAUTHORIZED',
      path: bus.subjects.rpc('state', PayloadsReencryptRpc.operation),
      facts: { reason: 'unsigned' },
    });
    expect(event?.principal).toBeUndefined();
  });

  it('lets agents work through the gateway, which signs their principal', async () => {
    const agent = await mesh.agent('gw-a', 'signed-scribe', [
      { kind: 'tool', names: ['>'], actions: ['list', 'call', 'provide'] },
      { kind: 'publish', topics: ['notes.>'] },
    ]);
    const written = await agent.store.put('draft', { text: 'hello' }, { expectedVersion: 0 });
    expect(written.version).toBe(1);
    expect((await agent.store.get('draft')).document).toEqual({ text: 'hello' });
    await expect(agent.publish('notes.today', { n: 1 })).resolves.toBeDefined();
    await agent.tools.provide(
      { name: 'signed.echo', version: '1.0.0', inputSchema: { type: 'object' } },
      (args) => args,
    );
    const page = await agent.tools.list();
    expect(page.items.map((tool) => tool.name)).toContain('signed.echo');
  });
});
