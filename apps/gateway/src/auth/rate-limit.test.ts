import type { Bus, BusSubscription } from '@switchboard/bus';
import {
  GatewayDeliverRpc,
  GatewayToolCallRpc,
  RouterAckRpc,
  TaskCompleteBatchRpc,
  TaskCompleteRpc,
} from '@switchboard/protocol';
import { connectTestBus, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../db/api-key-store.ts';
import { connectAgent, registeredAgent, type TestAgent } from '../test/agent-client.ts';
import { messagePush } from '../test/message-push.ts';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

let world: GatewayTestWorld;
let bus: Bus;
let token: string;

const startGateway = async (id: string, env: Record<string, string>) =>
  (await world.start(id, env)).port;

beforeAll(async () => {
  world = await createGatewayTestWorld();
  bus = await connectTestBus(world.context.namespace);
  token = world.agentToken;
});
afterAll(async () => {
  await world?.stop();
  await bus?.close();
});

describe('rate limits', () => {
  it('hold across two replicas: the bucket of a client address is shared', async () => {
    const env = {
      SB_GATEWAY__RATE_LIMITS__PER_IP__CAPACITY: '3',
      SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: '0.01',
    };
    const ports = [await startGateway('rl-a', env), await startGateway('rl-b', env)];
    const outcomes = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const result = await connectAgent(ports[attempt % 2] as number, { token });
      if ('agent' in result) result.agent.socket.close();
      outcomes.push(result);
    }
    expect(outcomes.slice(0, 3).every((outcome) => 'agent' in outcome)).toBe(true);
    const refused = outcomes[3];
    expect(refused).toMatchObject({ status: 429 });
    if (refused === undefined || 'agent' in refused) throw new Error('expected a refusal');
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'E_RATE_LIMITED' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('throttles the frames of a credential with E_RATE_LIMITED and a retry time, keeping the connection', async () => {
    const port = await startGateway('rl-frames', {
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '6',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '0.01',
      SB_GATEWAY__RATE_LIMITS__FRAME_BATCH: '2',
    });
    const attempt = await connectAgent(port, { token });
    if (!('agent' in attempt)) throw new Error(attempt.body);
    const agent = attempt.agent;
    // The connect took one token; five frames are left, the sixth is refused.
    for (let index = 0; index < 6; index++) agent.send({ v: 1, type: 'ping', id: `p${index}` });
    for (let index = 0; index < 5; index++) await agent.next('pong', `p${index}`);
    const refusal = await agent.next('error', 'p5');
    expect(refusal).toMatchObject({
      error: { code: 'E_RATE_LIMITED', retryAfterMs: expect.any(Number) },
    });
    expect(agent.socket.readyState).toBe(agent.socket.OPEN);
    agent.socket.close();
  });
});

describe('answers to what the gateway pushed, with the bucket empty', () => {
  const gatewayId = 'rl-answers';
  const acked: string[] = [];
  const completed: string[] = [];
  const served: BusSubscription[] = [];
  let agent: TestAgent;

  beforeAll(async () => {
    const port = await startGateway(gatewayId, {
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '8',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '0.01',
      SB_GATEWAY__RATE_LIMITS__FRAME_BATCH: '1',
    });
    // Stand-ins for the router and the task worker: they record what the gateway forwards.
    const complete = (item: { taskId: string; attempt: number }) => {
      completed.push(`${item.taskId}:${item.attempt}`);
      return { status: 'succeeded' as const };
    };
    served.push(
      bus.serve(
        bus.subjects.rpc('router', RouterAckRpc.operation),
        RouterAckRpc,
        async ({ acks, nacks }) => {
          acked.push(...acks, ...nacks.map((nack) => `nack:${nack.deliveryId}`));
          return { applied: acks.length + nacks.length, ignored: 0 };
        },
        { queue: bus.subjects.queueGroup('router') },
      ),
      bus.serve(
        bus.subjects.rpc('tasks', TaskCompleteRpc.operation),
        TaskCompleteRpc,
        async (item) => complete(item),
        { queue: bus.subjects.queueGroup('tasks') },
      ),
      bus.serve(
        bus.subjects.rpc('tasks', TaskCompleteBatchRpc.operation),
        TaskCompleteBatchRpc,
        async ({ items }) => ({
          results: items.map((item) => ({ ok: true as const, result: complete(item) })),
        }),
        { queue: bus.subjects.queueGroup('tasks') },
      ),
    );
    // A key of its own: the other tests spent the shared key's bucket.
    const { token: ownToken } = await createApiKeyStore(world.database).create({
      name: 'answers',
      agentIds: ['answers-agent'],
      roles: [],
      grants: [],
      createdBy: 'test',
    });
    agent = await registeredAgent(port, ownToken, 'answers-agent');
    // Spend what is left of the bucket.
    for (let index = 0; ; index++) {
      agent.send({ v: 1, type: 'ping', id: `spend${index}` });
      const answer = await agent.next(['pong', 'error'], `spend${index}`);
      if (answer.type === 'error') break;
    }
  });
  afterAll(async () => {
    agent?.socket.close();
    await Promise.all(served.map((subscription) => subscription.stop()));
  });

  const refused = async (id: string) =>
    expect(await agent.next('error', id)).toMatchObject({ error: { code: 'E_RATE_LIMITED' } });

  it('pass an ack and a nack of deliveries pushed here, once; refuse one to an unknown delivery', async () => {
    const pushes = ['901', '902'].map((deliveryId) => messagePush('answers-agent', deliveryId));
    await bus.request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, { pushes });
    await agent.next('deliver');
    await agent.next('deliver');
    agent.send({ v: 1, type: 'ack', id: 'a1', deliveryId: '901' });
    agent.send({ v: 1, type: 'nack', id: 'a2', deliveryId: '902' });
    await waitFor(() => acked.length === 2);
    expect(acked.sort()).toEqual(['901', 'nack:902']);
    agent.send({ v: 1, type: 'ack', id: 'a3', deliveryId: '901' });
    await refused('a3');
    agent.send({ v: 1, type: 'ack', id: 'a4', deliveryId: '999' });
    await refused('a4');
    expect(acked).toHaveLength(2);
  });

  it('pass the result of a tool call the gateway waits for; refuse a late one', async () => {
    const call = bus.request(bus.subjects.gatewayCall(gatewayId), GatewayToolCallRpc, {
      agentId: 'answers-agent',
      callId: 'call-1',
      name: 'echo',
      version: '1.0.0',
      arguments: { text: 'hi' },
      deadline: new Date(Date.now() + 5000).toISOString(),
    });
    await agent.next('tool.call');
    agent.send({ v: 1, type: 'tool.result', id: 't1', callId: 'call-1', result: { text: 'hi' } });
    expect(await call).toEqual({ ok: true, result: { text: 'hi' } });
    agent.send({ v: 1, type: 'tool.result', id: 't2', callId: 'call-1', result: null });
    await refused('t2');
  });

  it('pass the completion of the task attempt pushed here, once; refuse another attempt', async () => {
    const task = {
      kind: 'task' as const,
      agentId: 'answers-agent',
      taskId: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      type: 'load.echo',
      attempt: 2,
      input: null,
      leaseMs: 30_000,
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
    await bus.request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, {
      pushes: [task],
    });
    await agent.next('task');
    const completion = { v: 1, type: 'task.complete', taskId: task.taskId, result: 1 };
    agent.send({ ...completion, id: 'c0', attempt: 1 });
    await refused('c0');
    agent.send({ ...completion, id: 'c1', attempt: 2 });
    expect(await agent.next('result', 'c1')).toMatchObject({ result: { status: 'succeeded' } });
    agent.send({ ...completion, id: 'c2', attempt: 2 });
    await refused('c2');
    expect(completed).toEqual([`${task.taskId}:2`]);
  });
});
