import type { Bus } from '@switchboard/bus';
import {
  LifecycleGetRpc,
  type LifecycleRecord,
  StateDeleteRpc,
  StatePutRpc,
} from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import {
  connectTestBus,
  keyPrincipal,
  type ServiceProcess,
  spawnService,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentOf, connectAgent, type TestAgent } from '../test/agent-client.ts';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

let world: GatewayTestWorld;
let bus: Bus;
let gateway: Service;
let port: number;
let state: ServiceProcess | undefined;
let frameCounter = 0;
const ops = keyPrincipal('ops', ['admin']);

/** An agent after hello and register, with every `resume` frame it gets (in order). */
async function registered(
  agentId: string,
): Promise<{ agent: TestAgent; result: Record<string, unknown>; resumes: ResumeFrame[] }> {
  const agent = agentOf(await connectAgent(port, { token: world.agentToken }));
  const resumes: ResumeFrame[] = [];
  agent.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as ResumeFrame;
    if (frame.type === 'resume') resumes.push(frame);
  });
  const result = await agent.handshake({ id: agentId, name: agentId, version: '1.0.0' });
  expect(result).toMatchObject({ type: 'result', result: { agentId } });
  return { agent, result, resumes };
}

interface ResumeFrame {
  type: string;
  id: string;
  status: LifecycleRecord;
  state: { scope: string; items: { key: string; version: number }[]; truncated: boolean };
}

async function call(agent: TestAgent, frame: Record<string, unknown>) {
  const id = `f${++frameCounter}`;
  agent.send({ v: 1, id, ...frame });
  return agent.next(['result', 'error'], id);
}

const rpc = (operation: string) => bus.subjects.rpc('state', operation);
const put = (scope: string, key: string, expectedVersion: number) =>
  bus.request(
    rpc(StatePutRpc.operation),
    StatePutRpc,
    { scope, key, expectedVersion, document: { key } },
    { principal: ops },
  );
const lifecycle = (agentId: string) =>
  bus.request(rpc(LifecycleGetRpc.operation), LifecycleGetRpc, { agentId }, { principal: ops });

async function skipped(reason: string): Promise<number> {
  const metric = gateway.metrics.getSingleMetric('sb_gateway_resumes_skipped_total');
  if (metric === undefined) return 0;
  const values = (await metric.get()).values;
  return values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

const frameNumber = (frame: { id?: unknown }) => Number(String(frame.id).slice(1));
const versions = (frame: ResumeFrame | undefined) =>
  frame?.state.items.map(({ key, version }) => ({ key, version }));

beforeAll(async () => {
  world = await createGatewayTestWorld();
  bus = await connectTestBus(world.context.namespace);
  ({ service: gateway, port } = await world.start('gw-resume'));
});
afterAll(async () => {
  await state?.stop();
  await world?.stop();
  await bus?.close();
});

describe('resume without a state service', () => {
  it('registers anyway and sends no resume frame', async () => {
    const { agent, resumes } = await registered('alone-1');
    // The gateway counts the resume it gave up on: only after that is "no frame" a fact.
    await waitFor(async () => (await skipped('unavailable')) === 1, {
      what: 'the skipped resume',
    });
    agent.send({ v: 1, type: 'ping', id: 'still-there' });
    expect(await agent.next('pong', 'still-there')).toMatchObject({ re: 'still-there' });
    expect(resumes).toEqual([]);
    agent.socket.close();
    await agent.closed;
  });
});

describe('resume with the state service', () => {
  beforeAll(async () => {
    state = await spawnService('state', { ...world.context.env, SB_STATE__PORT: '0' });
  });

  it('pushes the status and own-scope versions after register, and again after a reconnect', async () => {
    const scope = 'agent:resumer-1';
    await put(scope, 'notes', 0);
    await put(scope, 'plan', 0);
    await put(scope, 'plan', 1);
    await put(scope, 'gone', 0);
    await bus.request(
      rpc(StateDeleteRpc.operation),
      StateDeleteRpc,
      { scope, key: 'gone', expectedVersion: 1 },
      { principal: ops },
    );
    await put('agent:someone-else', 'plan', 0);

    const first = await registered('resumer-1');
    await waitFor(() => first.resumes.length === 1, { what: 'the first resume frame' });
    const [resumed] = first.resumes;
    expect(frameNumber(resumed ?? {})).toBeGreaterThan(frameNumber(first.result));
    expect(resumed?.state).toMatchObject({ scope, truncated: false });
    expect(versions(resumed)).toEqual([
      { key: 'plan', version: 2 },
      { key: 'notes', version: 1 },
    ]);
    // Read while the state service applies this connect: before it or after it.
    expect(resumed?.status.agentId).toBe('resumer-1');
    expect([
      { status: 'registered', version: 0 },
      { status: 'starting', version: 1 },
    ]).toContainEqual({ status: resumed?.status.status, version: resumed?.status.version });

    await waitFor(async () => (await lifecycle('resumer-1')).status === 'starting', {
      what: 'starting',
    });
    const idle = await call(first.agent, { type: 'lifecycle.transition', to: 'idle' });
    expect(idle).toMatchObject({ result: { status: 'idle', version: 2 } });
    first.agent.socket.close();
    await first.agent.closed;
    await waitFor(async () => (await lifecycle('resumer-1')).status === 'stopped', {
      what: 'stopped',
    });
    await put(scope, 'notes', 1);

    const second = await registered('resumer-1');
    await waitFor(() => second.resumes.length === 1, { what: 'the resume after a reconnect' });
    const [again] = second.resumes;
    expect(versions(again)).toEqual([
      { key: 'notes', version: 2 },
      { key: 'plan', version: 2 },
    ]);
    expect([
      { status: 'stopped', version: 4 },
      { status: 'starting', version: 5 },
    ]).toContainEqual({ status: again?.status.status, version: again?.status.version });
    expect(first.resumes).toHaveLength(1);
    // Both recoveries were timed.
    const exposition = await gateway.metrics.metrics();
    const count = /sb_gateway_resume_duration_seconds_count(?:\{[^}]*\})? (\d+)/.exec(exposition);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(2);
    second.agent.socket.close();
    await second.agent.closed;
  });

  it('resumes an agent with no state and no lifecycle yet', async () => {
    const { resumes, agent } = await registered('fresh-1');
    await waitFor(() => resumes.length === 1, { what: 'the resume frame' });
    expect(resumes[0]?.state).toEqual({ scope: 'agent:fresh-1', items: [], truncated: false });
    expect(resumes[0]?.status.agentId).toBe('fresh-1');
    agent.socket.close();
    await agent.closed;
  });
});
