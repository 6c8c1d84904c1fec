import {
  createPrincipalSigner,
  mintPrincipalKeyPair,
  parsePrincipalPrivateKey,
} from '@switchboard/authz';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { defineRpc, isSbError } from '@switchboard/protocol';
import {
  cleanupNamespace,
  createTestNamespace,
  keyPrincipal,
  testInfra,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guardPrincipals } from './principal-guard.ts';
import { loadPrincipalSignatures, type PrincipalSignatures } from './principal-signatures.ts';
import type { SecurityReport } from './security-events.ts';

// A verifying service and a signing one on one real NATS bus: what the verifier's handler sees,
// and what it refuses before the handler runs.

const WhoRpc = defineRpc(
  'who',
  z.strictObject({}),
  z.strictObject({ principal: z.string().nullable(), signature: z.string().nullable() }),
);

const namespace = createTestNamespace();
const pair = mintPrincipalKeyPair();
const settings = {
  mode: 'enforce' as const,
  ttlMs: 60_000,
  signingKeyId: pair.keyId,
  signingKey: pair.privateKey,
  publicKeys: { [pair.keyId]: pair.publicKey },
};
const caller = keyPrincipal('k-guard', ['observer']);
const reports: SecurityReport[] = [];
const security = { report: (event: SecurityReport) => reports.push(event) };
let bus: NatsBus;
let gateway: PrincipalSignatures;
let router: PrincipalSignatures;

beforeAll(async () => {
  bus = await connectNatsBus({
    namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => 5000,
  });
  gateway = await loadPrincipalSignatures(settings, 'gateway');
  router = await loadPrincipalSignatures(settings, 'router');
  const served = guardPrincipals(bus, router, security);
  served.serve(
    served.subjects.rpc('router', 'who'),
    WhoRpc,
    async (_request, context) => ({
      principal: context.principal ?? null,
      signature: context.principalSignature ?? null,
    }),
    { queue: 'who' },
  );
  await served.ping();
});
afterAll(async () => {
  await bus?.close();
  await cleanupNamespace(namespace);
});

const who = (sender: NatsBus | ReturnType<typeof guardPrincipals>, options = {}) =>
  sender
    .request(sender.subjects.rpc('router', 'who'), WhoRpc, {}, options)
    .catch((error: unknown) => {
      if (isSbError(error)) return error;
      throw error;
    });

describe('guardPrincipals', () => {
  it('signs what a signing service sends, and the verifier lets it through', async () => {
    expect(gateway.signer?.keyId).toBe(pair.keyId);
    expect(router.signer).toBeUndefined();
    const sender = guardPrincipals(bus, gateway, security);
    const answer = await who(sender, { principal: caller });
    expect(answer).toMatchObject({ principal: caller });
    expect((answer as { signature: string }).signature.startsWith(`${pair.keyId}:`)).toBe(true);
    // A signature given (a principal forwarded with its own) is passed on as it is.
    const forwarded = await who(sender, {
      principal: caller,
      principalSignature: (answer as { signature: string }).signature,
    });
    expect(forwarded).toEqual(answer);
    // Requests without a principal (between services) are neither signed nor refused.
    expect(await who(sender)).toEqual({ principal: null, signature: null });
  });

  it('refuses a forged principal before the handler and reports auth_failed', async () => {
    reports.length = 0;
    // A service without the private key (the router) sends the principal unsigned.
    const unsigned = await who(guardPrincipals(bus, router, security), { principal: caller });
    expect(unsigned).toMatchObject({ code: 'E_UNAUTHORIZED', details: { reason: 'unsigned' } });
    const stranger = createPrincipalSigner({
      keyId: 'ppk-stranger',
      privateKey: parsePrincipalPrivateKey(mintPrincipalKeyPair().privateKey, 'k'),
      ttlMs: 60_000,
    });
    const unknown = await who(bus, {
      principal: caller,
      principalSignature: stranger.sign(caller),
    });
    expect(unknown).toMatchObject({ details: { reason: 'unknown_key', keyId: 'ppk-stranger' } });
    expect(reports).toEqual([
      expect.objectContaining({
        kind: 'auth_failed',
        path: bus.subjects.rpc('router', 'who'),
        code: 'E_UNAUTHORIZED',
        facts: { reason: 'unsigned', claimedPrincipal: 'key:k-guard' },
      }),
      expect.objectContaining({
        facts: { reason: 'unknown_key', keyId: 'ppk-stranger', claimedPrincipal: 'key:k-guard' },
      }),
    ]);
    // The forged caller is named in the facts only: detectors never count it as a credential.
    expect(reports[0]?.principal).toBeUndefined();
    expect(reports[0]?.credentialId).toBeUndefined();
    const garbled = await who(bus, { principal: 'not json', principalSignature: 'x' });
    expect(garbled).toMatchObject({ details: { reason: 'malformed' } });
    expect(reports[2]?.facts).toEqual({ reason: 'malformed' });
  });

  it('passes everything through unverified when the mode is off', async () => {
    const open = await loadPrincipalSignatures({ ...settings, mode: 'off' }, 'state');
    expect(open).toEqual({ signer: undefined, verifier: undefined });
    const served = guardPrincipals(bus, open, security);
    served.serve(
      served.subjects.rpc('state', 'who'),
      WhoRpc,
      async (_request, context) => ({ principal: context.principal ?? null, signature: null }),
      { queue: 'who' },
    );
    await served.ping();
    const answer = await served.request(
      served.subjects.rpc('state', 'who'),
      WhoRpc,
      {},
      {
        principal: caller,
      },
    );
    expect(answer).toEqual({ principal: caller, signature: null });
  });

  it('leaves events and KV buckets as they are', async () => {
    const served = guardPrincipals(bus, gateway, security);
    const seen: unknown[] = [];
    const consumer = await served.consumeEvents({
      filterSubject: served.subjects.event('guard', 'probe'),
      schema: z.strictObject({ id: z.int() }),
      handler: async ({ payload }) => {
        seen.push(payload);
      },
    });
    await served.publishEvent(served.subjects.event('guard', 'probe'), z.unknown(), { id: 1 });
    await waitFor(() => seen.length > 0 || undefined, { what: 'the event' });
    await consumer.stop();
    expect(seen).toEqual([{ id: 1 }]);
    const bucket = await served.kv(served.subjects.configBucket);
    expect(await bucket.get('guard-nothing')).toBeUndefined();
    const own = await connectNatsBus({
      namespace,
      servers: testInfra.natsServers.split(','),
      requestTimeoutMs: () => 5000,
    });
    const closing = guardPrincipals(own, gateway, security);
    await closing.close();
    await expect(own.ping()).rejects.toThrow();
  });
});
