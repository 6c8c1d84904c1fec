import { AuthChangedEventSchema, AuthResolveRpc, type Principal } from '@switchboard/authz';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { SbError } from '@switchboard/protocol';
import { cleanupNamespace, createTestNamespace, testInfra, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenResolver } from './token-resolver.ts';

const namespace = createTestNamespace();
let bus: NatsBus;
const calls: string[] = [];

const principalOf = (keyId: string): Principal => ({
  id: `key:${keyId}`,
  credential: { type: 'api_key', id: keyId },
  agentIds: [],
  roles: ['observer'],
  grants: [],
});

beforeAll(async () => {
  bus = await connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => 2000,
  });
  // The gateway's side of auth.resolve, reduced to a table of tokens.
  bus.serve(
    bus.subjects.rpc('gateway', AuthResolveRpc.operation),
    AuthResolveRpc,
    async ({ token }) => {
      calls.push(token);
      if (!token.startsWith('good-')) throw new SbError('E_UNAUTHORIZED', 'unknown API key');
      return principalOf(token.slice('good-'.length));
    },
    { queue: 'gateway' },
  );
  await bus.ping();
});
afterAll(async () => {
  await bus?.close();
  await cleanupNamespace(namespace);
});

describe('createTokenResolver', () => {
  it('caches a resolved principal until a revocation of its key drops it', async () => {
    const resolver = createTokenResolver({ bus, ttlMs: () => 60_000 });
    await resolver.start();
    expect(await resolver.resolve('good-k1')).toMatchObject({ id: 'key:k1' });
    expect(await resolver.resolve('good-k1')).toMatchObject({ id: 'key:k1' });
    expect(calls.filter((token) => token === 'good-k1')).toHaveLength(1);

    await bus.publishEvent(bus.subjects.event('auth', 'changed'), AuthChangedEventSchema, {
      keyId: 'k1',
      change: 'revoked',
      at: new Date().toISOString(),
    });
    await waitFor(
      async () => {
        await resolver.resolve('good-k1');
        return calls.filter((token) => token === 'good-k1').length === 2;
      },
      { what: 'the revocation to drop the cached principal' },
    );
    await resolver.stop();
  });

  it('drops the principals naming a role whose grants changed', async () => {
    const resolver = createTokenResolver({ bus, ttlMs: () => 60_000 });
    await resolver.start();
    await resolver.resolve('good-k5');
    await bus.publishEvent(bus.subjects.event('auth', 'changed'), AuthChangedEventSchema, {
      keyId: 'k5',
      change: 'created',
      at: new Date().toISOString(),
    });
    await bus.publishEvent(bus.subjects.event('auth', 'changed'), AuthChangedEventSchema, {
      role: 'billing',
      change: 'role_changed',
      at: new Date().toISOString(),
    });
    await bus.publishEvent(bus.subjects.event('auth', 'changed'), AuthChangedEventSchema, {
      role: 'observer',
      change: 'role_changed',
      at: new Date().toISOString(),
    });
    await waitFor(
      async () => {
        await resolver.resolve('good-k5');
        return calls.filter((token) => token === 'good-k5').length === 2;
      },
      { what: 'the role change to drop the cached principal' },
    );
    await resolver.stop();
  });

  it('asks again once an entry is older than the TTL, and evicts the oldest when full', async () => {
    const resolver = createTokenResolver({ bus, ttlMs: () => 0, maxEntries: 1 });
    await resolver.resolve('good-k2');
    await resolver.resolve('good-k2');
    expect(calls.filter((token) => token === 'good-k2')).toHaveLength(2);
    const bounded = createTokenResolver({ bus, ttlMs: () => 60_000, maxEntries: 1 });
    await bounded.resolve('good-k3');
    await bounded.resolve('good-k4');
    await bounded.resolve('good-k3');
    expect(calls.filter((token) => token === 'good-k3')).toHaveLength(2);
  });

  it('passes the gateway refusal on, and caches nothing for it', async () => {
    const resolver = createTokenResolver({ bus, ttlMs: () => 60_000 });
    await expect(resolver.resolve('bad-token')).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
    await expect(resolver.resolve('bad-token')).rejects.toMatchObject({ code: 'E_UNAUTHORIZED' });
    expect(calls.filter((token) => token === 'bad-token')).toHaveLength(2);
  });
});
