import {
  DlqGetRpc,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
  RouterMessageGetRpc,
  StatsRpc,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterHarness, type RouterHarness } from './test-router.ts';

// Strict order (one delivery in flight per agent), few attempts, fast retries.
let world: RouterHarness;

beforeAll(async () => {
  world = await createRouterHarness();
  await world.start('router-1', {
    SB_ROUTER__DELIVERY__MAX_IN_FLIGHT: '1',
    SB_ROUTER__DELIVERY__MAX_ATTEMPTS: '3',
    SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '300',
  });
});
afterAll(async () => {
  await world.stop();
});

const deliveriesOf = async (messageId: string) =>
  (await world.call(RouterMessageGetRpc, { id: messageId })).deliveries;

describe('queues', () => {
  it('deliver an offline backlog on connect, higher priority first, then in order of acceptance', async () => {
    await world.gateways.connect('q-sender');
    await world.gateways.register('q-inbox');
    const priorities = [4, 9, 0, 9, 4, 7];
    for (const [index, priority] of priorities.entries()) {
      await world.send(agentPrincipal('q-sender'), {
        to: { kind: 'agent', agentId: 'q-inbox' },
        payload: index,
        priority,
      });
    }
    await world.gateways.connect('q-inbox');
    const order: number[] = [];
    // One in flight at a time: each ack lets the next one out.
    while (order.length < priorities.length) {
      await world.gateways.until(() => world.gateways.messagesFor('q-inbox').length > order.length);
      const push = world.gateways.messagesFor('q-inbox')[order.length];
      order.push(push?.message.payload as number);
      await world.ack('q-inbox', [push?.deliveryId as string]);
    }
    expect(order).toEqual([1, 3, 5, 0, 4, 2]);
    // The stats snapshot reports the delivery latency of the last minute.
    const stats = await world.call(StatsRpc, {});
    expect(stats.figures.acked).toBeGreaterThanOrEqual(priorities.length);
    expect(stats.figures.deliveryP99Ms).toBeGreaterThan(0);
    expect(stats.figures.deliveryP99Ms).toBeGreaterThanOrEqual(
      stats.figures.deliveryP50Ms as number,
    );
  });

  it('puts back a push the gateway could not write and delivers it when the agent is back', async () => {
    await world.gateways.connect('m-sender');
    await world.gateways.connect('m-inbox');
    world.gateways.missing.set('m-inbox', 'not_connected');
    const sent = await world.send(agentPrincipal('m-sender'), {
      to: { kind: 'agent', agentId: 'm-inbox' },
      payload: 'x',
    });
    await waitFor(async () => (await deliveriesOf(sent.messageId))[0]?.status === 'queued');
    world.gateways.missing.delete('m-inbox');
    await world.gateways.until(() => world.gateways.messagesFor('m-inbox').length === 1);
    // The missed push did not count as an attempt.
    expect(world.gateways.messagesFor('m-inbox')[0]?.attempt).toBe(1);
  });

  it('drops a message whose TTL runs out before the recipient connects', async () => {
    await world.gateways.connect('ttl-sender');
    await world.gateways.register('ttl-inbox');
    const sent = await world.send(agentPrincipal('ttl-sender'), {
      to: { kind: 'agent', agentId: 'ttl-inbox' },
      payload: 'late',
      ttlMs: 100,
    });
    await waitFor(async () => (await deliveriesOf(sent.messageId))[0]?.status === 'expired');
    await world.gateways.connect('ttl-inbox');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(world.gateways.messagesFor('ttl-inbox')).toHaveLength(0);
  });
});

describe('retries and dead letters', () => {
  it('retries a nacked delivery until its last attempt, then dead-letters it; a replay delivers it again', async () => {
    await world.gateways.connect('n-sender');
    await world.gateways.connect('n-inbox');
    const sent = await world.send(agentPrincipal('n-sender'), {
      to: { kind: 'agent', agentId: 'n-inbox' },
      payload: { job: 1 },
    });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await world.gateways.until(() => world.gateways.messagesFor('n-inbox').length === attempt);
      const push = world.gateways.messagesFor('n-inbox')[attempt - 1];
      expect(push?.attempt).toBe(attempt);
      await world.ack('n-inbox', [], [{ deliveryId: push?.deliveryId as string }]);
    }
    await waitFor(async () => (await deliveriesOf(sent.messageId))[0]?.status === 'dead');
    const listed = await world.call(DlqListRpc, { agentId: 'n-inbox' });
    expect(listed.items).toHaveLength(1);
    const [deadLetter] = listed.items;
    expect(deadLetter).toMatchObject({
      agentId: 'n-inbox',
      attempts: 3,
      reason: 'max_attempts',
      lastError: { code: 'E_INTERNAL' },
      message: { id: sent.messageId, payload: { job: 1 }, from: 'n-sender' },
    });
    // The agent reads its own dead letters; not another agent's.
    await expect(
      world.call(DlqGetRpc, { id: deadLetter?.id as string }, agentPrincipal('n-inbox')),
    ).resolves.toMatchObject({ id: deadLetter?.id });
    await expect(
      world.call(DlqGetRpc, { id: deadLetter?.id as string }, agentPrincipal('n-sender')),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });

    const replayed = await world.call(DlqReplayRpc, { ids: [deadLetter?.id as string] });
    expect(replayed).toEqual({ replayed: 1 });
    await world.gateways.until(() => world.gateways.messagesFor('n-inbox').length === 4);
    const again = world.gateways.messagesFor('n-inbox')[3];
    expect(again).toMatchObject({
      attempt: 1,
      message: { id: sent.messageId, payload: { job: 1 } },
    });
    await world.ack('n-inbox', [again?.deliveryId as string]);
    expect((await world.call(DlqListRpc, { agentId: 'n-inbox' })).items).toHaveLength(0);
  });

  it('retries a push that is never acked once its lease runs out', async () => {
    await world.gateways.connect('l-sender');
    await world.gateways.connect('l-inbox');
    const sent = await world.send(agentPrincipal('l-sender'), {
      to: { kind: 'agent', agentId: 'l-inbox' },
      payload: 'ack me',
    });
    await world.gateways.until(() => world.gateways.messagesFor('l-inbox').length === 2);
    const second = world.gateways.messagesFor('l-inbox')[1];
    expect(second?.attempt).toBe(2);
    await world.ack('l-inbox', [second?.deliveryId as string]);
    await waitFor(async () => (await deliveriesOf(sent.messageId))[0]?.status === 'acked');
    const [delivery] = await deliveriesOf(sent.messageId);
    expect(delivery?.lastError?.code).toBe('E_TIMEOUT');
  });

  it('purges dead letters and refuses an operator without messages:write', async () => {
    await world.gateways.connect('p-sender');
    await world.gateways.connect('p-inbox');
    await world.send(agentPrincipal('p-sender'), {
      to: { kind: 'agent', agentId: 'p-inbox' },
      payload: 1,
    });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await world.gateways.until(() => world.gateways.messagesFor('p-inbox').length === attempt);
      const push = world.gateways.messagesFor('p-inbox')[attempt - 1];
      await world.ack('p-inbox', [], [{ deliveryId: push?.deliveryId as string }]);
    }
    await waitFor(
      async () => (await world.call(DlqListRpc, { agentId: 'p-inbox' })).items.length === 1,
    );
    await expect(
      world.call(DlqPurgeRpc, { agentId: 'p-inbox' }, keyPrincipal('k_observer', ['observer'])),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(world.call(DlqPurgeRpc, { agentId: 'p-inbox' })).resolves.toEqual({ purged: 1 });
  });
});

describe('losing Redis', () => {
  it('loses nothing: deliveries wait until presence is back and then go out', async () => {
    await world.gateways.connect('w-sender');
    await world.gateways.connect('w-inbox');
    await world.cache.deleteAll();
    const sent = await world.send(agentPrincipal('w-sender'), {
      to: { kind: 'agent', agentId: 'w-inbox' },
      payload: 'still here',
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(world.gateways.messagesFor('w-inbox')).toHaveLength(0);
    // The gateway refreshes presence on the agent's next frame.
    await world.gateways.connect('w-inbox');
    await world.gateways.until(() => world.gateways.messagesFor('w-inbox').length === 1);
    expect(world.gateways.messagesFor('w-inbox')[0]?.message.id).toBe(sent.messageId);
  });
});
