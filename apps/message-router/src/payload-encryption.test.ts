import { randomBytes } from 'node:crypto';
import { connectPostgres, type Database } from '@switchboard/db';
import {
  DlqListRpc,
  PayloadsReencryptRpc,
  RouterMessageGetRpc,
  type SbError,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterHarness, type RouterHarness } from './test-router.ts';

let world: RouterHarness;
let database: Database;
const secret = 'the-plaintext-marker';
const keys = { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') };
const encryption = (activeKeyId: string, ids: (keyof typeof keys)[]) => ({
  SB_PAYLOADS__ENCRYPTION__ACTIVE_KEY_ID: activeKeyId,
  SB_PAYLOADS__ENCRYPTION__KEYS: JSON.stringify(
    Object.fromEntries(ids.map((id) => [id, keys[id]])),
  ),
  // Compression before encryption: the large message is stored as br.
  SB_PAYLOADS__COMPRESSION__ALGORITHM: 'br',
  SB_PAYLOADS__COMPRESSION__THRESHOLD_BYTES: '256',
  SB_ROUTER__DELIVERY__MAX_ATTEMPTS: '1',
});
const sender = agentPrincipal('e-sender', [{ kind: 'publish', topics: ['>'] }]);

const rawPayloads = () =>
  database.sql<{ id: string; payload: Buffer; codec: string; key_id: string | null }[]>`
    SELECT id, payload, codec, key_id FROM router.messages ORDER BY id`;

beforeAll(async () => {
  world = await createRouterHarness();
  database = await connectPostgres(
    { url: world.context.database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
});
afterAll(async () => {
  await database?.close();
  await world?.stop();
});

describe('router payload encryption', () => {
  it('stores messages and dead letters encrypted, delivers and reads them, detects a moved ciphertext, rotates keys', async () => {
    const first = await world.start('router-k1', encryption('k1', ['k1']));
    await world.gateways.connect('e-inbox');
    const small = await world.send(sender, {
      to: { kind: 'agent', agentId: 'e-inbox' },
      payload: { secret },
    });
    const large = await world.send(sender, {
      to: { kind: 'agent', agentId: 'e-inbox' },
      payload: { secret, text: secret.repeat(100) },
    });
    await world.gateways.until(() => world.gateways.messagesFor('e-inbox').length === 2);
    expect(world.gateways.messagesFor('e-inbox').map((push) => push.message.payload)).toEqual([
      { secret },
      { secret, text: secret.repeat(100) },
    ]);
    const stored = await rawPayloads();
    expect(stored.map((row) => [row.codec, row.key_id])).toEqual([
      ['identity', 'k1'],
      ['br', 'k1'],
    ]);
    for (const row of stored) expect(row.payload.includes(Buffer.from(secret))).toBe(false);
    const counted = async (name: string) =>
      (await first.metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const original = await counted('sb_payload_compressed_original_bytes_total');
    expect(original).toBeGreaterThan(secret.length * 100);
    expect(await counted('sb_payload_compressed_bytes_total')).toBeLessThan(original / 5);

    // A nack with one attempt allowed: the message becomes a dead letter holding its payload.
    const [push] = world.gateways.messagesFor('e-inbox');
    await world.ack('e-inbox', [], [{ deliveryId: push?.deliveryId as string }]);
    const deadLetters = await world.call(DlqListRpc, { agentId: 'e-inbox' });
    expect(deadLetters.items.map((item) => item.message.payload)).toEqual([{ secret }]);

    await database.sql`
      UPDATE router.messages AS target SET payload = source.payload, nonce = source.nonce
      FROM router.messages AS source
      WHERE target.id = ${large.messageId} AND source.id = ${small.messageId}`;
    const moved = (await world
      .call(RouterMessageGetRpc, { id: large.messageId })
      .catch((error: unknown) => error)) as SbError;
    expect(moved).toMatchObject({ code: 'E_INTERNAL' });
    await database.sql`DELETE FROM router.messages WHERE id = ${large.messageId}`;

    // Rotation: k1 records stay readable under k2, and the job moves them all to k2.
    await first.stop();
    await world.start('router-k2', encryption('k2', ['k1', 'k2']));
    expect((await world.call(RouterMessageGetRpc, { id: small.messageId })).payload).toEqual({
      secret,
    });
    const observer = keyPrincipal('observer', ['observer']);
    await expect(world.call(PayloadsReencryptRpc, {}, observer)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    expect(await world.call(PayloadsReencryptRpc, {})).toEqual({
      service: 'router',
      activeKeyId: 'k2',
      reencrypted: 2,
      remaining: 0,
      done: true,
    });
    const dead = await database.sql<{ key_id: string }[]>`SELECT key_id FROM router.dead_letters`;
    expect(dead).toEqual([{ key_id: 'k2' }]);
    expect((await rawPayloads()).map((row) => row.key_id)).toEqual(['k2']);
    expect(
      (await world.call(DlqListRpc, { agentId: 'e-inbox' })).items.map(
        (item) => item.message.payload,
      ),
    ).toEqual([{ secret }]);
  });

  it('reads back a message whose sender wrote its id in upper case', async () => {
    const id = '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B';
    await world.send(sender, {
      id,
      to: { kind: 'agent', agentId: 'e-inbox' },
      payload: { secret },
    });
    const read = await world.call(RouterMessageGetRpc, { id: id.toLowerCase() });
    expect(read.payload).toEqual({ secret });
  });

  it('pushes the other messages when one payload does not decrypt', async () => {
    await world.gateways.register('e-later');
    const target = { kind: 'agent' as const, agentId: 'e-later' };
    const altered = await world.send(sender, { to: target, payload: { secret, n: 1 } });
    const intact = await world.send(sender, { to: target, payload: { secret, n: 2 } });
    await database.sql`
      UPDATE router.messages SET nonce = ${randomBytes(12)} WHERE id = ${altered.messageId}`;
    await world.gateways.connect('e-later');
    await world.gateways.until(() => world.gateways.messagesFor('e-later').length > 0);
    expect(world.gateways.messagesFor('e-later').map((push) => push.message.id)).toEqual([
      intact.messageId,
    ]);
  });
});
