import { RouterMessageGetRpc, RouterSubscribeRpc } from '@switchboard/protocol';
import { agentPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPrincipal, createRouterHarness, type RouterHarness } from './test-router.ts';

let world: RouterHarness;

beforeAll(async () => {
  world = await createRouterHarness();
  await world.start('router-1');
});
afterAll(async () => {
  await world.stop();
});

async function subscribe(
  agentId: string,
  pattern: string,
  filter?: { headers: Record<string, string | string[]> },
) {
  return world.call(
    RouterSubscribeRpc,
    { pattern, ...(filter === undefined ? {} : { filter }) },
    agentPrincipal(agentId, [{ kind: 'subscribe', topics: ['>'] }]),
  );
}

describe('direct messages', () => {
  it('are accepted, pushed to the recipient gateway and settled by the ack', async () => {
    await world.gateways.connect('d-alice');
    await world.gateways.connect('d-bob', { gatewayId: 'gw-b' });
    const sent = await world.send(agentPrincipal('d-alice'), {
      to: { kind: 'agent', agentId: 'd-bob' },
      payload: { hello: 'bob' },
      headers: { kind: 'greeting' },
      priority: 7,
    });
    expect(sent).toMatchObject({ recipients: 1, duplicate: false });
    await world.gateways.until(() => world.gateways.messagesFor('d-bob').length === 1);
    const [push] = world.gateways.messagesFor('d-bob');
    expect(push).toMatchObject({
      attempt: 1,
      message: {
        id: sent.messageId,
        from: 'd-alice',
        sentBy: 'agent:d-alice',
        payload: { hello: 'bob' },
        headers: { kind: 'greeting' },
        priority: 7,
        replyTo: null,
      },
    });
    await world.ack('d-bob', [push?.deliveryId as string]);
    const stored = await world.call(RouterMessageGetRpc, { id: sent.messageId }, adminPrincipal);
    expect(stored.deliveries).toMatchObject([{ agentId: 'd-bob', status: 'acked', attempts: 1 }]);
  });

  it('accepts a re-sent id once', async () => {
    await world.gateways.connect('r-alice');
    await world.gateways.register('r-bob');
    const message = {
      id: '0190f0d2-0000-7000-8000-000000000001',
      to: { kind: 'agent' as const, agentId: 'r-bob' },
      payload: 1,
    };
    const first = await world.send(agentPrincipal('r-alice'), message);
    const again = await world.send(agentPrincipal('r-alice'), message);
    expect(first).toEqual({ messageId: message.id, recipients: 1, duplicate: false });
    expect(again).toEqual({ messageId: message.id, recipients: 1, duplicate: true });
  });

  it('refuses an unknown recipient with E_NOT_FOUND', async () => {
    await expect(
      world.send(agentPrincipal('d-alice'), {
        to: { kind: 'agent', agentId: 'nobody' },
        payload: null,
      }),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

describe('topics', () => {
  it('deliver to every matching subscription once per agent, honouring filters', async () => {
    for (const id of ['t-1', 't-2', 't-3', 't-4']) await world.gateways.connect(id);
    await subscribe('t-1', 'orders.*.eu');
    await subscribe('t-1', 'orders.>');
    await subscribe('t-2', 'orders.>', { headers: { region: ['eu', 'us'] } });
    await subscribe('t-3', 'orders.created');
    await subscribe('t-4', 'orders.*.eu', { headers: { region: 'apac' } });
    const sent = await world.send(
      agentPrincipal('t-0', [{ kind: 'publish', topics: ['orders.>'] }]),
      {
        to: { kind: 'topic', topic: 'orders.created.eu' },
        payload: { n: 1 },
        headers: { region: 'eu' },
      },
    );
    expect(sent.recipients).toBe(2);
    await world.gateways.until(
      () =>
        world.gateways.messagesFor('t-1').length + world.gateways.messagesFor('t-2').length === 2,
    );
    expect(world.gateways.messagesFor('t-3')).toHaveLength(0);
    expect(world.gateways.messagesFor('t-4')).toHaveLength(0);
  });

  it('refuses a publish or subscribe the grants do not cover', async () => {
    await expect(
      world.send(agentPrincipal('t-0', [{ kind: 'publish', topics: ['orders.>'] }]), {
        to: { kind: 'topic', topic: 'billing.paid' },
        payload: 1,
      }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      world.call(
        RouterSubscribeRpc,
        { pattern: 'billing.>' },
        agentPrincipal('t-1', [{ kind: 'subscribe', topics: ['orders.>'] }]),
      ),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });
});

describe('broadcast and anycast', () => {
  it('broadcasts to every registered agent with the capability but the sender', async () => {
    await world.gateways.connect('b-1', { capabilities: ['audit'] });
    await world.gateways.connect('b-2', { capabilities: ['audit'] });
    await world.gateways.register('b-3', ['audit']);
    const sent = await world.send(agentPrincipal('b-1', [{ kind: 'broadcast' }]), {
      to: { kind: 'broadcast', capability: 'audit' },
      payload: 'all',
    });
    expect(sent.recipients).toBe(2);
    await expect(
      world.send(agentPrincipal('b-1'), { to: { kind: 'broadcast' }, payload: 'all' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('anycasts round-robin among connected agents with the capability', async () => {
    for (const id of ['a-1', 'a-2', 'a-3'])
      await world.gateways.connect(id, { capabilities: ['ocr'] });
    const chosen: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await world.send(agentPrincipal('a-0'), {
        to: { kind: 'anycast', capability: 'ocr', strategy: 'round_robin' },
        payload: i,
      });
    }
    await world.gateways.until(() =>
      ['a-1', 'a-2', 'a-3'].every((id) => world.gateways.messagesFor(id).length === 2),
    );
    for (const id of ['a-1', 'a-2', 'a-3'])
      chosen.push(...world.gateways.messagesFor(id).map(() => id));
    expect(chosen).toHaveLength(6);
    await expect(
      world.send(agentPrincipal('a-0'), {
        to: { kind: 'anycast', capability: 'none' },
        payload: 1,
      }),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
