import {
  RouterHistoryRpc,
  RouterMessageGetRpc,
  RouterSubscribeRpc,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPrincipal, createRouterHarness, type RouterHarness } from './test-router.ts';

let world: RouterHarness;

beforeAll(async () => {
  world = await createRouterHarness();
  await world.start('router-1', {
    SB_ROUTER__MAX_SUBSCRIPTIONS_PER_AGENT: '2',
    SB_ROUTER__MAX_PAYLOAD_BYTES: '64',
    SB_ROUTER__MAX_TTL_MS: '60000',
    SB_ROUTER__DEFAULT_TTL_MS: '30000',
  });
});
afterAll(async () => {
  await world.stop();
});

const everything = [
  { kind: 'subscribe' as const, topics: ['>'] },
  { kind: 'publish' as const, topics: ['>'] },
];

describe('subscriptions', () => {
  it('are listed, re-filtered in place, bounded per agent and removed', async () => {
    const me = agentPrincipal('s-1', everything);
    await world.call(RouterSubscribeRpc, { pattern: 'a.>' }, me);
    await world.call(RouterSubscribeRpc, { pattern: 'b.*' }, me);
    // Same pattern again: a new filter, not a third subscription.
    const refiltered = await world.call(
      RouterSubscribeRpc,
      { pattern: 'b.*', filter: { headers: { x: '1' } } },
      me,
    );
    expect(refiltered).toMatchObject({
      agentId: 's-1',
      pattern: 'b.*',
      filter: { headers: { x: '1' } },
    });
    await expect(world.call(RouterSubscribeRpc, { pattern: 'c' }, me)).rejects.toMatchObject({
      code: 'E_RATE_LIMITED',
    });
    const listed = await world.call(RouterSubscriptionsRpc, {}, me);
    expect(listed.items.map((item) => item.pattern)).toEqual(['a.>', 'b.*']);
    expect(await world.call(RouterUnsubscribeRpc, { pattern: 'a.>' }, me)).toEqual({
      removed: true,
    });
    expect(await world.call(RouterUnsubscribeRpc, { pattern: 'a.>' }, me)).toEqual({
      removed: false,
    });
  });

  it("are an agent's own; an operator manages anyone's with messages:write", async () => {
    await expect(
      world.call(RouterSubscriptionsRpc, { agentId: 's-1' }, agentPrincipal('s-2', everything)),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      world.call(
        RouterSubscribeRpc,
        { pattern: 'ops.>', agentId: 's-2' },
        keyPrincipal('k_obs', ['observer']),
      ),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(world.call(RouterSubscribeRpc, { pattern: 'ops.>' })).rejects.toMatchObject({
      code: 'E_VALIDATION',
    });
    await world.call(RouterSubscribeRpc, { pattern: 'ops.>', agentId: 's-2' });
    expect((await world.call(RouterSubscriptionsRpc, { agentId: 's-2' })).items).toHaveLength(1);
  });

  it('take effect for the next publish', async () => {
    await world.gateways.connect('s-3');
    await world.call(RouterSubscribeRpc, { pattern: 'news.*' }, agentPrincipal('s-3', everything));
    const sent = await world.send(agentPrincipal('s-4', everything), {
      to: { kind: 'topic', topic: 'news.today' },
      payload: 'x',
    });
    expect(sent.recipients).toBe(1);
    await world.call(
      RouterUnsubscribeRpc,
      { pattern: 'news.*' },
      agentPrincipal('s-3', everything),
    );
    const after = await world.send(agentPrincipal('s-4', everything), {
      to: { kind: 'topic', topic: 'news.today' },
      payload: 'y',
    });
    expect(after.recipients).toBe(0);
  });
});

describe('sending', () => {
  it('refuses payloads over the limit, TTLs over the maximum and operators expecting replies', async () => {
    await world.gateways.connect('v-1');
    const to = { kind: 'agent' as const, agentId: 'v-1' };
    await expect(
      world.send(agentPrincipal('v-2'), { to, payload: 'x'.repeat(100) }),
    ).rejects.toMatchObject({
      code: 'E_PAYLOAD_TOO_LARGE',
    });
    await expect(
      world.send(agentPrincipal('v-2'), { to, payload: 1, ttlMs: 120_000 }),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
    });
    await expect(
      world.send(adminPrincipal, { to, payload: 1, expectsReply: true }),
    ).rejects.toMatchObject({
      code: 'E_VALIDATION',
    });
    await expect(world.send('not a principal', { to, payload: 1 })).rejects.toMatchObject({
      code: 'E_UNAUTHORIZED',
    });
  });

  it('fills in the reply address of a request and sends receipts to an asking sender', async () => {
    await world.gateways.connect('rr-asker');
    await world.gateways.connect('rr-answerer');
    const sent = await world.send(agentPrincipal('rr-asker'), {
      to: { kind: 'agent', agentId: 'rr-answerer' },
      payload: 'question',
      expectsReply: true,
      receipt: true,
    });
    await world.gateways.until(() => world.gateways.messagesFor('rr-answerer').length === 1);
    const push = world.gateways.messagesFor('rr-answerer')[0];
    expect(push?.message.replyTo).toBe('rr-asker');
    await world.ack('rr-answerer', [push?.deliveryId as string]);
    await world.gateways.until(() =>
      world.gateways.pushes.some((p) => p.kind === 'receipt' && p.messageId === sent.messageId),
    );
    expect(world.gateways.pushes.find((p) => p.kind === 'receipt')).toMatchObject({
      agentId: 'rr-asker',
      recipient: 'rr-answerer',
    });
  });

  it('sends an operator message with no sender agent', async () => {
    await world.gateways.connect('op-inbox');
    const sent = await world.send(adminPrincipal, {
      to: { kind: 'agent', agentId: 'op-inbox' },
      payload: 'hi',
    });
    await world.gateways.until(() => world.gateways.messagesFor('op-inbox').length === 1);
    expect(world.gateways.messagesFor('op-inbox')[0]?.message).toMatchObject({
      id: sent.messageId,
      from: null,
      sentBy: 'key:k_admin',
    });
  });

  it('anycasts to the least loaded and by weight', async () => {
    await world.gateways.connect('ll-busy', { capabilities: ['crunch'] });
    await world.gateways.connect('ll-idle', { capabilities: ['crunch'] });
    world.gateways.missing.set('ll-busy', 'backpressure');
    await world.send(agentPrincipal('ll-x'), {
      to: { kind: 'anycast', capability: 'crunch', strategy: 'round_robin' },
      payload: 1,
    });
    // ll-busy holds one unacked delivery now; the least loaded is ll-idle, every time.
    for (let i = 0; i < 3; i += 1) {
      await world.send(agentPrincipal('ll-x'), {
        to: { kind: 'anycast', capability: 'crunch', strategy: 'least_loaded' },
        payload: i,
      });
    }
    await world.gateways.until(() => world.gateways.messagesFor('ll-idle').length >= 3);
    world.gateways.missing.delete('ll-busy');

    await world.gateways.connect('w-light', {
      capabilities: ['paint'],
      labels: { weight: '0.001' },
    });
    await world.gateways.connect('w-heavy', {
      capabilities: ['paint'],
      labels: { weight: '1000' },
    });
    for (let i = 0; i < 5; i += 1) {
      await world.send(agentPrincipal('w-x'), {
        to: { kind: 'anycast', capability: 'paint', strategy: 'weighted' },
        payload: i,
      });
    }
    await world.gateways.until(() => world.gateways.messagesFor('w-heavy').length === 5);
  });
});

describe('history', () => {
  it('finds messages by agent, topic pattern, conversation and time, page by page', async () => {
    await world.gateways.connect('h-1');
    await world.call(RouterSubscribeRpc, { pattern: 'h.>' }, agentPrincipal('h-1', everything));
    const since = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const sent = await world.send(agentPrincipal('h-2', everything), {
        to: { kind: 'topic', topic: `h.t${i % 2}` },
        payload: i,
        conversationId: i < 3 ? 'conv-1' : 'conv-2',
      });
      ids.push(sent.messageId);
    }
    const first = await world.call(RouterHistoryRpc, { topic: 'h.*', limit: 2, since });
    expect(first.items.map((item) => item.id)).toEqual([ids[4], ids[3]]);
    const second = await world.call(RouterHistoryRpc, {
      topic: 'h.*',
      limit: 2,
      cursor: first.nextCursor as string,
    });
    expect(second.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    expect((await world.call(RouterHistoryRpc, { topic: 'h.t1' })).items).toHaveLength(2);
    expect((await world.call(RouterHistoryRpc, { conversationId: 'conv-1' })).items).toHaveLength(
      3,
    );
    expect(
      (await world.call(RouterHistoryRpc, { agentId: 'h-1', topic: 'h.>' })).items,
    ).toHaveLength(5);
    expect((await world.call(RouterHistoryRpc, { topic: 'h.>', until: since })).items).toHaveLength(
      0,
    );
    // An agent sees only its own traffic, and another agent's message is not found for it.
    await expect(
      world.call(RouterHistoryRpc, { agentId: 'h-1' }, agentPrincipal('h-2')),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      world.call(RouterMessageGetRpc, { id: ids[0] as string }, agentPrincipal('h-3')),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(
      world.call(RouterMessageGetRpc, { id: ids[0] as string }, agentPrincipal('h-1')),
    ).resolves.toMatchObject({ topic: 'h.t0', recipients: 1 });
  });
});
