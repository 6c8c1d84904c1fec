import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchboard/bus';
import {
  type DeliveredMessage,
  GatewayDeliverRpc,
  type Push,
  StatsRpc,
} from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import { connectTestBus } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredAgent } from '../test/agent-client.ts';
import { messagePush } from '../test/message-push.ts';
import {
  createGatewayTestWorld,
  type GatewayTestWorld,
  metricValues,
} from '../test/start-gateway.ts';

const GATEWAY_ID = 'gw-deliver';

let world: GatewayTestWorld;
let bus: Bus;
let gateway: Service;
let port: number;
let nextDelivery = 100;

const registered = (agentId: string) => registeredAgent(port, world.agentToken, agentId);

/** A push of a fresh delivery id. */
const nextPush = (agentId: string, payload?: DeliveredMessage['payload']) => {
  nextDelivery += 1;
  return messagePush(agentId, String(nextDelivery), payload);
};

const deliver = (pushes: Push[]) =>
  bus.request(bus.subjects.gatewayDeliver(GATEWAY_ID), GatewayDeliverRpc, { pushes });

beforeAll(async () => {
  world = await createGatewayTestWorld();
  bus = await connectTestBus(world.context.namespace);
  ({ service: gateway, port } = await world.start(GATEWAY_ID, {
    SB_GATEWAY__CONNECTIONS__MAX_QUEUED_BYTES: '1024',
  }));
});
afterAll(async () => {
  await world?.stop();
  await bus?.close();
});

describe('the delivery endpoint', () => {
  it('writes a message push to the agent as a deliver frame', async () => {
    const agent = await registered('rcpt-1');
    const push = nextPush('rcpt-1');
    expect(await deliver([push])).toEqual({ missed: [] });
    const frame = await agent.next('deliver');
    expect(frame).toMatchObject({
      v: 1,
      type: 'deliver',
      deliveryId: push.deliveryId,
      attempt: 1,
      message: push.message,
    });
    expect(frame.id).toEqual(expect.any(String));
    agent.socket.close();
  });

  it('writes a receipt push as a receipt frame', async () => {
    const agent = await registered('sender-1');
    const receipt: Push = {
      kind: 'receipt',
      agentId: 'sender-1',
      messageId: randomUUID(),
      recipient: 'rcpt-1',
      at: new Date().toISOString(),
    };
    expect(await deliver([receipt])).toEqual({ missed: [] });
    expect(await agent.next('receipt')).toMatchObject({
      type: 'receipt',
      messageId: receipt.messageId,
      recipient: 'rcpt-1',
      at: receipt.at,
    });
    agent.socket.close();
  });

  it('misses pushes for agents not connected here, and drops their receipts', async () => {
    const gone = await registered('rcpt-gone');
    gone.socket.close();
    await gone.closed;
    const unknown = nextPush('nobody-here');
    const ended = nextPush('rcpt-gone');
    const receipt: Push = {
      kind: 'receipt',
      agentId: 'nobody-here',
      messageId: randomUUID(),
      recipient: 'rcpt-1',
      at: new Date().toISOString(),
    };
    expect(await deliver([unknown, receipt, ended])).toEqual({
      missed: [
        { deliveryId: unknown.deliveryId, reason: 'not_connected' },
        { deliveryId: ended.deliveryId, reason: 'not_connected' },
      ],
    });
  });

  it('writes to the agents it holds and misses the others in one request', async () => {
    const agent = await registered('rcpt-2');
    const here = nextPush('rcpt-2');
    const elsewhere = nextPush('rcpt-elsewhere');
    expect(await deliver([elsewhere, here])).toEqual({
      missed: [{ deliveryId: elsewhere.deliveryId, reason: 'not_connected' }],
    });
    expect(await agent.next('deliver')).toMatchObject({ deliveryId: here.deliveryId });
    agent.socket.close();
  });

  it('misses pushes with backpressure once more than maxQueuedBytes wait for a slow agent', async () => {
    const agent = await registered('rcpt-slow');
    // The agent stops reading: the kernel buffers fill, then the gateway's socket queues bytes.
    agent.socket.pause();
    const payload = 'x'.repeat(300_000);
    let written = 0;
    let refused: { deliveryId: string; reason: string } | undefined;
    for (let round = 0; round < 500 && refused === undefined; round += 1) {
      const pushes = [nextPush('rcpt-slow', payload), nextPush('rcpt-slow', payload)];
      const { missed } = await deliver(pushes);
      written += pushes.length - missed.length;
      refused = missed[0];
    }
    expect(refused).toEqual({ deliveryId: expect.any(String), reason: 'backpressure' });
    // Once it reads again, what was written reaches it.
    agent.socket.resume();
    for (let count = 0; count < written; count += 1) await agent.next('deliver');
    agent.socket.terminate();
  });

  it('counts pushes by kind and misses by reason, in metrics and stats', async () => {
    const pushes = await metricValues(gateway, 'sb_gateway_pushes_total');
    const missed = await metricValues(gateway, 'sb_gateway_pushes_missed_total');
    expect(pushes).toEqual(
      expect.arrayContaining([
        { labels: { kind: 'message' }, value: expect.any(Number) },
        { labels: { kind: 'receipt' }, value: 1 },
      ]),
    );
    expect(missed).toEqual(
      expect.arrayContaining([
        { labels: { kind: 'message', reason: 'not_connected' }, value: 3 },
        { labels: { kind: 'receipt', reason: 'not_connected' }, value: 1 },
        { labels: { kind: 'message', reason: 'backpressure' }, value: expect.any(Number) },
      ]),
    );
    const sum = (values: Array<{ value: number }>) =>
      values.reduce((total, { value }) => total + value, 0);
    const stats = await bus.request(bus.subjects.rpc('gateway', StatsRpc.operation), StatsRpc, {});
    expect(stats.figures).toMatchObject({ pushesWritten: sum(pushes), pushesMissed: sum(missed) });
  });
});
