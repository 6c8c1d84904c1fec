import { DlqListRpc, RouterHistoryRpc } from '@switchboard/protocol';
import { agentPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterHarness, type RouterHarness } from './test-router.ts';

let world: RouterHarness;

beforeAll(async () => {
  world = await createRouterHarness(['gw-a']);
  await world.start('router-1', {
    SB_ROUTER__RETENTION__MESSAGES_MS: '300',
    SB_ROUTER__RETENTION__DEAD_LETTERS_MS: '300',
    SB_ROUTER__RETENTION__SWEEP_INTERVAL_MS: '50',
    SB_ROUTER__DELIVERY__MAX_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  await world.stop();
});

describe('retention', () => {
  it('deletes settled messages and old dead letters, and keeps what still waits for delivery', async () => {
    await world.gateways.connect('ret-inbox');
    await world.gateways.register('ret-offline');
    const everything = [{ kind: 'publish' as const, topics: ['>'] }];
    await world.send(agentPrincipal('ret-sender', everything), {
      to: { kind: 'agent', agentId: 'ret-inbox' },
      payload: 'done',
      conversationId: 'ret-settled',
    });
    const waiting = await world.send(agentPrincipal('ret-sender', everything), {
      to: { kind: 'agent', agentId: 'ret-offline' },
      payload: 'later',
      conversationId: 'ret-waiting',
    });
    await world.gateways.until(() => world.gateways.messagesFor('ret-inbox').length === 1);
    const [push] = world.gateways.messagesFor('ret-inbox');
    // One attempt allowed: the nack makes a dead letter.
    await world.ack('ret-inbox', [], [{ deliveryId: push?.deliveryId as string }]);
    const search = (conversationId: string) => world.call(RouterHistoryRpc, { conversationId });
    await waitFor(async () => (await search('ret-settled')).items.length === 0);
    await waitFor(
      async () => (await world.call(DlqListRpc, { agentId: 'ret-inbox' })).items.length === 0,
    );
    expect((await search('ret-waiting')).items.map((item) => item.id)).toEqual([waiting.messageId]);
  });
});
