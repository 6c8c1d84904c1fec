import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { decodePrincipal } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import {
  DlqListRpc,
  RouterAckRpc,
  RouterSendBatchRpc,
  RouterSendRpc,
  RouterSubscribeRpc,
  SbError,
  StateGetRpc,
  StatePutRpc,
} from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import { connectTestBus, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { agentOf, connectAgent, registeredAgent } from '../test/agent-client.ts';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

const MAX_PENDING = 4;

/** A send the stand-in router holds until the test releases it. */
interface HeldSend {
  messageId: string;
  request: z.infer<typeof RouterSendRpc.request>;
  principal: string | undefined;
  release(): void;
  released: boolean;
}

let world: GatewayTestWorld;
let bus: Bus;
let gateway: Service;
let port: number;
const sends: HeldSend[] = [];
/** The size of each batch of sends the stand-in router received. */
const sendBatches: number[] = [];
// Decides, on each arrival, which held sends to release; by default every one at once.
let onSendArrival: (held: HeldSend[]) => void = (held) => {
  for (const send of held) send.release();
};
const ackRequests: Array<{
  request: z.infer<typeof RouterAckRpc.request>;
  principal: string | undefined;
}> = [];
const otherRequests: Array<{ operation: string; request: unknown; principal?: string }> = [];
/** State reads at the stand-in state service, waiting for the test to answer them. */
const heldReads: Array<{ key: string; released: boolean; release(): void }> = [];
/** State writes at the stand-in, with how many reads were still unanswered then. */
const writesSeen: Array<{ key: string; readsHeld: number }> = [];

const registered = (agentId: string) => registeredAgent(port, world.agentToken, agentId);

const sendFrame = (id: string, messageId = randomUUID()) => ({
  v: 1,
  type: 'send',
  id,
  message: { id: messageId, to: { kind: 'agent', agentId: 'somebody' }, payload: { n: id } },
});

/** The unreleased sends, oldest first. */
const unreleased = () => sends.filter((send) => !send.released);

beforeAll(async () => {
  world = await createGatewayTestWorld();
  bus = await connectTestBus(world.context.namespace);
  // A stand-in router on the real bus (the router itself is not running in these tests).
  const queue = { queue: bus.subjects.queueGroup('router') };
  const holdSend = async (
    request: z.infer<typeof RouterSendRpc.request>,
    principal: string | undefined,
  ) => {
    let resolve = () => {};
    const answered = new Promise<void>((done) => {
      resolve = done;
    });
    const held: HeldSend = {
      messageId: request.message.id,
      request,
      principal,
      released: false,
      release: () => {
        held.released = true;
        resolve();
      },
    };
    sends.push(held);
    onSendArrival(unreleased());
    await answered;
    return { messageId: request.message.id, recipients: 1, duplicate: false };
  };
  bus.serve(
    bus.subjects.rpc('router', RouterSendRpc.operation),
    RouterSendRpc,
    async (request, { principal }) => holdSend(request, principal),
    queue,
  );
  // The gateway sends what one connection sent within a tick as one batch.
  bus.serve(
    bus.subjects.rpc('router', RouterSendBatchRpc.operation),
    RouterSendBatchRpc,
    async ({ items }, { principal }) => {
      sendBatches.push(items.length);
      const results = await Promise.all(items.map((item) => holdSend(item, principal)));
      return { results: results.map((result) => ({ ok: true as const, result })) };
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('router', RouterAckRpc.operation),
    RouterAckRpc,
    async (request, { principal }) => {
      ackRequests.push({ request, principal });
      if (request.acks.includes('666')) throw new SbError('E_UNAVAILABLE', 'router is busy');
      return { applied: request.acks.length + request.nacks.length, ignored: 0 };
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('router', RouterSubscribeRpc.operation),
    RouterSubscribeRpc,
    async (request, { principal }) => {
      otherRequests.push({ operation: 'subscribe', request, principal });
      const agentId = decodePrincipal(principal).id.replace(/^agent:/, '');
      return {
        agentId,
        pattern: request.pattern,
        filter: null,
        createdAt: new Date().toISOString(),
      };
    },
    queue,
  );
  bus.serve(
    bus.subjects.rpc('router', DlqListRpc.operation),
    DlqListRpc,
    async (request, { principal }) => {
      otherRequests.push({ operation: 'dlq.list', request, principal });
      return { items: [], nextCursor: null };
    },
    queue,
  );
  // A stand-in state service: gets are held until the test releases them; puts are recorded.
  const stateQueue = { queue: bus.subjects.queueGroup('state') };
  bus.serve(
    bus.subjects.rpc('state', StateGetRpc.operation),
    StateGetRpc,
    async (request) => {
      await new Promise<void>((resolve) => {
        const held = {
          key: request.key,
          released: false,
          release: () => {
            held.released = true;
            resolve();
          },
        };
        heldReads.push(held);
      });
      return {
        scope: request.scope,
        key: request.key,
        version: 1,
        document: null,
        updatedAt: new Date().toISOString(),
        updatedBy: 'test',
      };
    },
    stateQueue,
  );
  bus.serve(
    bus.subjects.rpc('state', StatePutRpc.operation),
    StatePutRpc,
    async (request) => {
      writesSeen.push({
        key: request.key,
        readsHeld: heldReads.filter((held) => !held.released).length,
      });
      return { version: 2, updatedAt: new Date().toISOString() };
    },
    stateQueue,
  );
  await bus.ping();
  ({ service: gateway, port } = await world.start('gw-messages', {
    SB_GATEWAY__CONNECTIONS__MAX_PENDING_REQUESTS: String(MAX_PENDING),
    // Frames spend local credit, never waiting on Redis halfway through a batch of acks.
    SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '100000',
    SB_GATEWAY__RATE_LIMITS__FRAME_BATCH: '10000',
  }));
});
afterAll(async () => {
  await world?.stop();
  await bus?.close();
});

describe('send frames', () => {
  it('forwards a send to the router as agent:<id> and answers with its result', async () => {
    const agent = await registered('sender-1');
    const messageId = randomUUID();
    agent.send(sendFrame('s1', messageId));
    expect(await agent.next('result', 's1')).toMatchObject({
      result: { messageId, recipients: 1, duplicate: false },
    });
    const sent = sends.find((send) => send.messageId === messageId);
    expect(sent?.request).toEqual({
      message: { id: messageId, to: { kind: 'agent', agentId: 'somebody' }, payload: { n: 's1' } },
    });
    expect(decodePrincipal(sent?.principal).id).toBe('agent:sender-1');
    agent.socket.close();
  });

  it('forwards the sends of one tick as one batch request, answering each frame', async () => {
    const agent = await registered('sender-batch');
    const before = sendBatches.length;
    const frames = ['t1', 't2', 't3'].map((id) => sendFrame(id));
    // One TCP write: the gateway reads the three frames in the same tick.
    const tcp = (agent.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (const frame of frames) agent.send(frame);
    tcp.uncork();
    for (const frame of frames) {
      expect(await agent.next('result', frame.id)).toMatchObject({
        result: { messageId: frame.message.id, recipients: 1, duplicate: false },
      });
    }
    expect(sendBatches.slice(before)).toEqual([3]);
    const batch = sends.filter((send) => frames.some((f) => f.message.id === send.messageId));
    expect(batch.map((send) => decodePrincipal(send.principal).id)).toEqual(
      Array(3).fill('agent:sender-batch'),
    );
    agent.socket.close();
  });

  it('pipelines sends: each leaves in order before the earlier ones are answered', async () => {
    const agent = await registered('sender-2');
    const before = sends.length;
    const frames = ['p1', 'p2', 'p3', 'p4'].map((id) => sendFrame(id));
    // Held until all four are at the router, then answered newest first: one send at a time
    // would never get there.
    onSendArrival = (held) => {
      if (sends.length - before < frames.length) return;
      for (const send of held.reverse()) send.release();
    };
    for (const frame of frames) agent.send(frame);
    for (const frame of frames) {
      expect(await agent.next('result', frame.id)).toMatchObject({
        result: { messageId: frame.message.id },
      });
    }
    expect(sends.slice(before).map((send) => send.messageId)).toEqual(
      frames.map((frame) => frame.message.id),
    );
    agent.socket.close();
  });

  it('holds the agent at maxPendingRequests unanswered sends, then goes on as they are answered', async () => {
    const agent = await registered('sender-3');
    const before = sends.length;
    const total = 3 * MAX_PENDING;
    let mostUnanswered = 0;
    onSendArrival = (held) => {
      mostUnanswered = Math.max(mostUnanswered, held.length);
      // A full window is answered at once: sends read in one tick travel (and are answered)
      // as one batch, so answering only the oldest would hold the others' answers.
      if (sends.length - before === total || held.length === MAX_PENDING) {
        for (const send of held) send.release();
      }
    };
    const frames = Array.from({ length: total }, (_, index) => sendFrame(`b${index}`));
    for (const frame of frames) agent.send(frame);
    for (const frame of frames) await agent.next('result', frame.id);
    expect(mostUnanswered).toBe(MAX_PENDING);
    expect(sends.slice(before).map((send) => send.messageId)).toEqual(
      frames.map((frame) => frame.message.id),
    );
    // The frames after a send are not held back by its answer: a ping is answered at once.
    onSendArrival = () => {};
    agent.send(sendFrame('late'));
    agent.send({ v: 1, type: 'ping', id: 'after-send' });
    await agent.next('pong', 'after-send');
    const late = await waitFor(() => unreleased()[0], { what: 'the late send at the router' });
    late.release();
    await agent.next('result', 'late');
    agent.socket.close();
  });

  it('refuses a send before register', async () => {
    const agent = agentOf(await connectAgent(port, { token: world.agentToken }));
    agent.send({ v: 1, type: 'hello', id: 'h', versions: [1] });
    await agent.next('welcome', 'h');
    agent.send(sendFrame('early'));
    expect(await agent.next('error', 'early')).toMatchObject({
      error: { code: 'E_VALIDATION', message: expect.stringContaining('register first') },
    });
    agent.socket.close();
  });
});

describe('state reads', () => {
  it('are pipelined, and a write waits for the reads sent before it', async () => {
    const agent = await registered('reader-1');
    const reads = ['r1', 'r2', 'r3'];
    for (const id of reads) agent.send({ v: 1, type: 'state.get', id, key: id });
    // All three reach the state service before any is answered: one at a time never would.
    await waitFor(() => heldReads.length === reads.length, { what: 'three reads in flight' });
    agent.send({ v: 1, type: 'state.put', id: 'w1', key: 'w1', expectedVersion: 1, document: 1 });
    // Without the wait, the write would reach the state service within milliseconds.
    const early = await waitFor(() => writesSeen.length > 0, { timeoutMs: 300 }).then(
      () => 'arrived',
      () => 'held back',
    );
    expect(early).toBe('held back');
    // Answered newest first: the answers name their frames, whatever the order.
    for (const held of [...heldReads].reverse()) held.release();
    for (const id of reads) {
      expect(await agent.next('result', id)).toMatchObject({ result: { key: id } });
    }
    expect(await agent.next('result', 'w1')).toMatchObject({ result: { version: 2 } });
    // The write reached the state service only once no read before it was unanswered.
    expect(writesSeen).toEqual([{ key: 'w1', readsHeld: 0 }]);
    agent.socket.close();
  });
});

describe('other router frames', () => {
  it('forwards subscribe and dlq.list as the agent, naming it where the RPC asks', async () => {
    const agent = await registered('subscriber-1');
    agent.send({ v: 1, type: 'subscribe', id: 'sub', pattern: 'orders.*' });
    expect(await agent.next('result', 'sub')).toMatchObject({
      result: { agentId: 'subscriber-1', pattern: 'orders.*' },
    });
    agent.send({ v: 1, type: 'dlq.list', id: 'dl', limit: 5 });
    expect(await agent.next('result', 'dl')).toMatchObject({ result: { items: [] } });
    expect(otherRequests.map(({ operation, request }) => ({ operation, request }))).toEqual([
      { operation: 'subscribe', request: { pattern: 'orders.*' } },
      { operation: 'dlq.list', request: { agentId: 'subscriber-1', limit: 5 } },
    ]);
    for (const { principal } of otherRequests) {
      expect(decodePrincipal(principal).id).toBe('agent:subscriber-1');
    }
    agent.socket.close();
  });
});

describe('ack and nack frames', () => {
  it('forwards the acks and nacks of one tick as one request, without replying', async () => {
    const agent = await registered('acker-1');
    const replies: unknown[] = [];
    agent.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { re?: unknown };
      if (frame.re !== undefined) replies.push(frame.re);
    });
    const before = ackRequests.length;
    // One TCP write: the gateway reads the four frames in the same tick.
    const tcp = (agent.socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    agent.send({ v: 1, type: 'ack', id: 'a1', deliveryId: '11' });
    agent.send({
      v: 1,
      type: 'nack',
      id: 'n1',
      deliveryId: '12',
      error: { code: 'E_INTERNAL', message: 'handler threw' },
      retryAfterMs: 250,
    });
    agent.send({ v: 1, type: 'ack', id: 'a2', deliveryId: '13' });
    agent.send({ v: 1, type: 'nack', id: 'n2', deliveryId: '14' });
    agent.send({ v: 1, type: 'ping', id: 'after-acks' });
    tcp.uncork();
    await agent.next('pong', 'after-acks');
    const first = await waitFor(() => ackRequests[before], { what: 'an ack request' });
    expect(first.request).toEqual({
      acks: ['11', '13'],
      nacks: [
        {
          deliveryId: '12',
          error: { code: 'E_INTERNAL', message: 'handler threw' },
          retryAfterMs: 250,
        },
        { deliveryId: '14' },
      ],
    });
    expect(decodePrincipal(first.principal).id).toBe('agent:acker-1');
    // Nothing answers an ack or a nack, also once the router has answered.
    agent.send({ v: 1, type: 'ping', id: 'last' });
    await agent.next('pong', 'last');
    expect(replies).toEqual(['after-acks', 'last']);
    agent.socket.close();
  });

  it('refuses an ack before register', async () => {
    const agent = agentOf(await connectAgent(port, { token: world.agentToken }));
    agent.send({ v: 1, type: 'hello', id: 'h', versions: [1] });
    await agent.next('welcome', 'h');
    agent.send({ v: 1, type: 'ack', id: 'early-ack', deliveryId: '1' });
    expect(await agent.next('error', 'early-ack')).toMatchObject({
      error: { code: 'E_VALIDATION', message: expect.stringContaining('register first') },
    });
    agent.socket.close();
  });

  it('counts a failed ack request and keeps the connection', async () => {
    const agent = await registered('acker-2');
    agent.send({ v: 1, type: 'ack', id: 'bad', deliveryId: '666' });
    const failed = async () => {
      const metric = gateway.metrics.getSingleMetric('sb_gateway_acks_forwarded_total');
      const values = metric === undefined ? [] : (await metric.get()).values;
      return values.find((value) => value.labels.outcome === 'failed' && value.value === 1);
    };
    await waitFor(failed, { what: 'a failed ack request counted' });
    agent.send({ v: 1, type: 'ack', id: 'good', deliveryId: '667' });
    await waitFor(() => ackRequests.find((entry) => entry.request.acks.includes('667')), {
      what: 'the next ack forwarded',
    });
    agent.send({ v: 1, type: 'ping', id: 'still-up' });
    await agent.next('pong', 'still-up');
    agent.socket.close();
  });
});
