import { authorize, mintApiKey } from '@switchboard/authz';
import type { Database } from '@switchboard/db';
import { createDatabaseTestContext, type DatabaseTestContext } from '@switchboard/testing';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiKeyStore, createApiKeyStore } from '../db/api-key-store.ts';
import { createRoleStore, type RoleStore } from '../db/role-store.ts';
import { type CredentialResolver, createCredentialResolver } from './credential-resolver.ts';
import { createJwtVerifier } from './jwt-verifier.ts';

let world: DatabaseTestContext | undefined;
let database: Database;
let keys: ApiKeyStore;
let roles: RoleStore;
let resolver: CredentialResolver;
let signer: Awaited<ReturnType<typeof generateKeyPair>>;
const bootstrap = mintApiKey();
let withoutJwt: CredentialResolver;

beforeAll(async () => {
  world = await createDatabaseTestContext('test', { poolMax: 2, connectTimeoutMs: 2000 });
  ({ database } = world);
  keys = createApiKeyStore(database);
  roles = createRoleStore(database);
  signer = await generateKeyPair('ES256');
  const jwt = createJwtVerifier({
    issuer: 'https://idp.example',
    audience: 'switchboard',
    algorithms: ['ES256'],
    publicKeys: [await exportSPKI(signer.publicKey)],
    clockToleranceMs: 0,
    agentIdsClaim: 'agent_ids',
    rolesClaim: 'roles',
  });
  resolver = createCredentialResolver({
    keys,
    customRoles: () => roles.list(),
    bootstrapKeySha256: () => bootstrap.sha256,
    jwt: () => ({ verify: jwt, agentIdsClaim: 'agent_ids', rolesClaim: 'roles' }),
  });
  withoutJwt = createCredentialResolver({
    keys,
    customRoles: async () => [],
    bootstrapKeySha256: () => undefined,
    jwt: () => undefined,
  });
});
afterAll(async () => {
  await world?.cleanup();
});

describe('credential resolver', () => {
  it('resolves a console session from its key id, and refuses it once the key is revoked', async () => {
    const { record } = await keys.create({
      name: 'console operator',
      agentIds: [],
      roles: ['observer'],
      grants: [],
      createdBy: 'key:bootstrap',
    });
    const principal = await resolver.resolveSession(record.id);
    expect(principal).toMatchObject({
      id: `key:${record.id}`,
      credential: { type: 'session', id: record.id },
    });
    expect(authorize(principal, { kind: 'operator', scope: 'agents:read' }).allowed).toBe(true);
    await keys.revoke(record.id);
    await expect(resolver.resolveSession(record.id)).rejects.toMatchObject({
      code: 'E_UNAUTHORIZED',
    });
  });

  it('resolves a bootstrap session only while the bootstrap key is configured', async () => {
    expect((await resolver.resolveSession('bootstrap')).credential).toEqual({
      type: 'session',
      id: 'bootstrap',
    });
    await expect(withoutJwt.resolveSession('bootstrap')).rejects.toThrow(/retired/);
  });

  it('resolves an API key to its principal, roles expanded into grants', async () => {
    const { record, token } = await keys.create({
      name: 'planner',
      agentIds: ['planner-1'],
      roles: ['observer'],
      grants: [{ kind: 'publish', topics: ['plans.>'] }],
      createdBy: 'key:bootstrap',
    });
    const principal = await resolver.resolve(token);
    expect(principal).toMatchObject({
      id: `key:${record.id}`,
      credential: { type: 'api_key', id: record.id },
      agentIds: ['planner-1'],
      roles: ['observer'],
    });
    expect(authorize(principal, { kind: 'publish', topic: 'plans.eu' }).allowed).toBe(true);
    expect(authorize(principal, { kind: 'operator', scope: 'agents:read' }).allowed).toBe(true);
    expect(authorize(principal, { kind: 'operator', scope: 'keys:write' }).allowed).toBe(false);
  });

  it('expands a custom role on every resolution, for keys and JWTs, never over a built-in', async () => {
    await roles.put({ name: 'billing', grants: [{ kind: 'publish', topics: ['billing.>'] }] }, 't');
    // A stored role named like a built-in is ignored: the built-in wins.
    await roles.put({ name: 'observer', grants: [{ kind: 'publish', topics: ['>'] }] }, 't');
    const { token } = await keys.create({
      name: 'billing',
      agentIds: [],
      roles: ['billing', 'observer'],
      grants: [],
      createdBy: 'test',
    });
    const jwt = await new SignJWT({ roles: ['billing'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('svc-8')
      .setIssuer('https://idp.example')
      .setAudience('switchboard')
      .setExpirationTime('5m')
      .sign(signer.privateKey);
    for (const credential of [token, jwt]) {
      const principal = await resolver.resolve(credential);
      expect(authorize(principal, { kind: 'publish', topic: 'billing.eu' }).allowed).toBe(true);
      expect(authorize(principal, { kind: 'publish', topic: 'orders.eu' }).allowed).toBe(false);
    }
    await roles.put({ name: 'billing', grants: [{ kind: 'publish', topics: ['ledger.>'] }] }, 't');
    const changed = await resolver.resolve(token);
    expect(authorize(changed, { kind: 'publish', topic: 'billing.eu' }).allowed).toBe(false);
    expect(authorize(changed, { kind: 'publish', topic: 'ledger.eu' }).allowed).toBe(true);
    expect(await roles.remove('billing')).toBe(true);
    expect(await roles.remove('billing')).toBe(false);
    const removed = await resolver.resolve(token);
    expect(authorize(removed, { kind: 'publish', topic: 'ledger.eu' }).allowed).toBe(false);
    await roles.remove('observer');
  });

  it('opens everything to the bootstrap key, and nothing to a guess at it', async () => {
    const principal = await resolver.resolve(bootstrap.token);
    expect(principal).toMatchObject({ id: 'key:bootstrap', credential: { type: 'bootstrap' } });
    expect(authorize(principal, { kind: 'operator', scope: 'keys:write' }).allowed).toBe(true);
    await expect(withoutJwt.resolve(bootstrap.token)).rejects.toMatchObject({
      code: 'E_UNAUTHORIZED',
    });
  });

  it('refuses an unknown key, a wrong secret, a revoked key and an expired key', async () => {
    await expect(resolver.resolve(mintApiKey().token)).rejects.toThrow(/^unknown API key/);
    const { record, token } = await keys.create({
      name: 'short-lived',
      agentIds: [],
      roles: [],
      grants: [],
      createdBy: 'test',
    });
    const forged = `${token.slice(0, 21)}${'A'.repeat(43)}`;
    await expect(resolver.resolve(forged)).rejects.toThrow(/^unknown API key/);
    await keys.revoke(record.id);
    await expect(resolver.resolve(token)).rejects.toThrow(`API key ${record.id} was revoked`);

    const expired = await keys.create({
      name: 'expired',
      agentIds: [],
      roles: [],
      grants: [],
      createdBy: 'test',
      expiresAt: new Date(Date.now() - 1000),
    });
    await expect(resolver.resolve(expired.token)).rejects.toThrow(
      `API key ${expired.record.id} expired at`,
    );
  });

  it('resolves a JWT to its subject, agent ids and known roles', async () => {
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('svc-7')
        .setIssuer('https://idp.example')
        .setAudience('switchboard')
        .setExpirationTime('5m')
        .sign(signer.privateKey);
    const principal = await resolver.resolve(
      await sign({ agent_ids: ['a1', 'a2'], roles: ['observer', 'Not A Role'] }),
    );
    expect(principal).toMatchObject({
      id: 'jwt:svc-7',
      credential: { type: 'jwt', id: 'svc-7' },
      agentIds: ['a1', 'a2'],
      roles: ['observer'],
    });
    expect((await resolver.resolve(await sign({ roles: 'admin' }))).agentIds).toEqual(['svc-7']);
    await expect(withoutJwt.resolve(await sign({}))).rejects.toThrow(/JWTs are not configured/);
  });
});

describe('API key store', () => {
  it('lists keys newest first across pages, without revoked ones unless asked', async () => {
    const created = [];
    for (let index = 0; index < 5; index++) {
      created.push(
        (
          await keys.create({
            name: `page-${index}`,
            agentIds: [],
            roles: [],
            grants: [],
            createdBy: 'test',
          })
        ).record,
      );
    }
    await keys.revoke(created[0]?.id as string);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await keys.list({ limit: 2, cursor, includeRevoked: false });
      seen.push(...page.keys.map((key) => key.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toContain(created[4]?.id);
    expect(seen).not.toContain(created[0]?.id);
    expect(seen.indexOf(created[4]?.id as string)).toBeLessThan(
      seen.indexOf(created[1]?.id as string),
    );
    const all = await keys.list({ limit: 100, includeRevoked: true });
    expect(all.keys.map((key) => key.id)).toContain(created[0]?.id);
    expect(await keys.get('0000000000000000')).toBeUndefined();
    expect(await keys.revoke('0000000000000000')).toBeUndefined();
    const again = await keys.revoke(created[0]?.id as string);
    expect(again?.revokedAt).toEqual((await keys.get(created[0]?.id as string))?.revokedAt);
  });
});
