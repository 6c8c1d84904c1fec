import type { AgentClient, DeliveredMessage } from '@switchboard/sdk';
import { SbError } from '@switchboard/sdk';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from './test-mesh.ts';

// Agents on two gateway processes, one router process, the real SDK: what users see.

let mesh: Mesh;

beforeAll(async () => {
  mesh = await createMesh({ SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '1000' });
  await mesh.startRouter();
  await mesh.startGateway('gw-a');
  await mesh.startGateway('gw-b');
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

/** Collects what a client's handler sees. */
function inbox(client: AgentClient, answer?: (message: DeliveredMessage) => unknown) {
  const seen: DeliveredMessage[] = [];
  client.onMessage(async (message) => {
    seen.push(message);
    return (answer?.(message) ?? undefined) as undefined;
  });
  return seen;
}

const info = (id: string, capabilities: string[] = []) => ({
  id,
  name: id,
  version: '1.0.0',
  capabilities: capabilities.map((name) => ({ name })),
});

describe('agents talking through the mesh', () => {
  it('send a direct message across gateways, with a receipt', async () => {
    const alice = await mesh.agent('gw-a', info('e2e-alice'));
    const bob = await mesh.agent('gw-b', info('e2e-bob'));
    const seen = inbox(bob);
    const receipts: string[] = [];
    alice.on('receipt', (receipt) => receipts.push(receipt.messageId));
    const sent = await alice.sendTo('e2e-bob', { text: 'hi' }, { receipt: true });
    await waitFor(() => seen.length === 1 && receipts.length === 1);
    expect(seen[0]).toMatchObject({
      id: sent.messageId,
      from: 'e2e-alice',
      payload: { text: 'hi' },
    });
    expect(receipts).toEqual([sent.messageId]);
  });

  it('publish to a wildcard subscription with a filter', async () => {
    const sub = await mesh.agent('gw-b', info('e2e-sub'));
    const pub = await mesh.agent('gw-a', info('e2e-pub'));
    const seen = inbox(sub);
    await sub.subscribe('orders.*.created', { filter: { headers: { region: 'eu' } } });
    await pub.publish('orders.books.created', 1, { headers: { region: 'us' } });
    await pub.publish('orders.books.created', 2, { headers: { region: 'eu' } });
    await pub.publish('orders.books.shipped', 3, { headers: { region: 'eu' } });
    await waitFor(() => seen.length === 1);
    expect(seen.map((message) => message.payload)).toEqual([2]);
  });

  it('answer a request, and time out when nobody answers', async () => {
    const asker = await mesh.agent('gw-a', info('e2e-asker'));
    const answerer = await mesh.agent('gw-b', info('e2e-answerer'));
    inbox(answerer, (message) => ({ echo: message.payload }));
    const reply = await asker.request('e2e-answerer', 'ping', { timeoutMs: 10_000 });
    expect(reply.payload).toEqual({ echo: 'ping' });
    await mesh.agent('gw-b', info('e2e-silent'));
    await expect(asker.request('e2e-silent', 'ping', { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
    });
  });

  it('anycast to one agent with the capability and broadcast to all', async () => {
    const workers = await Promise.all(
      ['e2e-w1', 'e2e-w2'].map((id) => mesh.agent('gw-b', info(id, ['e2e-render']))),
    );
    const seen = workers.map((worker) => inbox(worker));
    const boss = await mesh.agent('gw-a', info('e2e-boss'));
    await boss.anycast('e2e-render', 'job-1');
    await boss.anycast('e2e-render', 'job-2');
    await waitFor(() => seen[0]?.length === 1 && seen[1]?.length === 1);
    await boss.broadcast('all hands', { capability: 'e2e-render' });
    await waitFor(() => seen.every((messages) => messages.length === 2));
  });

  it('queue messages for an offline agent and deliver them on reconnect', async () => {
    const sender = await mesh.agent('gw-a', info('e2e-sender'));
    const first = await mesh.agent('gw-b', info('e2e-later'));
    await first.close();
    for (let index = 0; index < 5; index += 1) await sender.sendTo('e2e-later', index);
    const later = await mesh.agent('gw-a', info('e2e-later'));
    const seen = inbox(later);
    await waitFor(() => seen.length === 5);
    expect(seen.map((message) => message.payload)).toEqual([0, 1, 2, 3, 4]);
  });

  it('retry a handler that throws, then dead-letter it; a replay delivers it again', async () => {
    const sender = await mesh.agent('gw-a', info('e2e-flaky-sender'));
    const flaky = await mesh.agent('gw-b', info('e2e-flaky'));
    let fail = true;
    const calls: number[] = [];
    flaky.onMessage(async (_message, context) => {
      calls.push(context.attempt);
      if (fail) throw new SbError('E_UNAVAILABLE', 'downstream is down');
    });
    await sender.sendTo('e2e-flaky', 'important');
    // fastTimers: 8 attempts by default, retries after tens of ms.
    await waitFor(async () => (await flaky.deadLetters.list()).items.length === 1, {
      timeoutMs: 20_000,
    });
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const [deadLetter] = (await flaky.deadLetters.list()).items;
    expect(deadLetter?.lastError).toMatchObject({
      code: 'E_UNAVAILABLE',
      message: 'downstream is down',
    });
    fail = false;
    expect(await flaky.deadLetters.replay({ all: true })).toEqual({ replayed: 1 });
    await waitFor(() => calls.length === 9);
  });

  it('refuse an unknown recipient with E_NOT_FOUND', async () => {
    const agent = await mesh.agent('gw-a', info('e2e-errors'));
    await expect(agent.sendTo('nobody-here', 1)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
