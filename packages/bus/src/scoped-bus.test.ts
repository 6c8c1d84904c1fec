import { defineRpc, SbError } from '@switchboard/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { KvChange } from './bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { ScopedBus } from './scoped-bus.ts';
import { testNamespace, waitFor } from './test-support.ts';

const EchoRpc = defineRpc(
  'echo',
  z.strictObject({ text: z.string() }),
  z.strictObject({ text: z.string() }),
);
const EventSchema = z.strictObject({ id: z.string() });

describe('a scope of a shared bus', () => {
  const shared = new MemoryBus({
    namespace: testNamespace(),
    requestTimeoutMs: () => 2000,
    eventRetryDelayMs: 20,
    eventMaxAgeMs: 60_000,
  });
  afterAll(() => shared.close());

  it('stops only its own subscriptions, consumers and watches when closed; the bus and the other scopes go on', async () => {
    const leaving = new ScopedBus(shared);
    const staying = new ScopedBus(shared);
    const left = leaving.subjects.rpc('state', 'left');
    const stays = staying.subjects.rpc('state', 'stays');
    const queue = { queue: shared.subjects.queueGroup('state') };
    leaving.serve(left, EchoRpc, async ({ text }) => ({ text }), queue);
    staying.serve(stays, EchoRpc, async ({ text }) => ({ text }), queue);
    const consumed: string[] = [];
    await leaving.consumeEvents({
      filterSubject: shared.subjects.event('state', '>'),
      schema: EventSchema,
      handler: async (event) => {
        consumed.push(event.payload.id);
      },
    });
    const changes: KvChange[] = [];
    const bucket = await leaving.kv(shared.subjects.configBucket);
    await bucket.watch('>', (change) => changes.push(change));
    expect(await bucket.put('a', 1)).toBeGreaterThan(0);
    expect(await bucket.get('a')).toMatchObject({ value: 1 });
    expect(await bucket.entries('>')).toEqual(new Map([['a', 1]]));
    await waitFor(() => changes.length === 1);

    await leaving.close();
    await leaving.close();

    const refused = await staying.request(left, EchoRpc, { text: 'x' }).catch((err) => err);
    expect(refused).toBeInstanceOf(SbError);
    expect((refused as SbError).code).toBe('E_UNAVAILABLE');
    expect(await staying.request(stays, EchoRpc, { text: 'x' })).toEqual({ text: 'x' });
    await staying.publishEvent(shared.subjects.event('state', 'changed'), EventSchema, { id: '1' });
    const other = await staying.kv(shared.subjects.configBucket);
    await other.put('a', 2);
    await other.delete('a');
    expect(await other.get('a')).toBeUndefined();
    expect(consumed).toEqual([]);
    expect(changes).toHaveLength(1);
    expect(await staying.ping()).toBeGreaterThanOrEqual(0);
    await expect(leaving.ping()).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    await staying.close();
  });

  it('applies its own default request timeout, as a connection of its own would', async () => {
    const patient = new ScopedBus(shared);
    const hasty = new ScopedBus(shared, () => 30);
    const slow = shared.subjects.rpc('state', 'slow');
    patient.serve(
      slow,
      EchoRpc,
      async ({ text }) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { text };
      },
      { queue: shared.subjects.queueGroup('state') },
    );
    await expect(hasty.request(slow, EchoRpc, { text: 'x' })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
    });
    expect(await patient.request(slow, EchoRpc, { text: 'y' })).toEqual({ text: 'y' });
    await patient.close();
    await hasty.close();
  });
});
