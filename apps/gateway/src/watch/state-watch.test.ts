import type { Grant } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import { GatewayDeliverRpc, StatePutRpc, StatsRpc } from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import {
  connectTestBus,
  keyPrincipal,
  type ServiceProcess,
  spawnService,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../db/api-key-store.ts';
import { registeredAgent, type TestAgent } from '../test/agent-client.ts';
import { messagePush } from '../test/message-push.ts';
import {
  createGatewayTestWorld,
  type GatewayTestWorld,
  metricValues,
} from '../test/start-gateway.ts';

const GATEWAY_ID = 'gw-watch';
const MAX_WATCHES = 3;

let world: GatewayTestWorld;
let bus: Bus;
let gateway: Service;
let port: number;
let state: ServiceProcess | undefined;
let frameCounter = 0;

/** An agent connected with `token` (by default the world's key, which has no grants). */
const registered = (agentId: string, token = world.agentToken) =>
  registeredAgent(port, token, agentId);

async function keyWith(agentId: string, grants: Grant[]): Promise<string> {
  const { token } = await createApiKeyStore(world.database).create({
    name: `key-${agentId}`,
    agentIds: [agentId],
    roles: [],
    grants,
    createdBy: 'test',
  });
  return token;
}

/** Sends a request frame and returns its `result` or `error` frame. */
async function call(agent: TestAgent, frame: Record<string, unknown>) {
  const id = `f${++frameCounter}`;
  agent.send({ v: 1, id, ...frame });
  return agent.next(['result', 'error'], id);
}

const operatorPut = (scope: string, key: string, expectedVersion: number, document: unknown) =>
  bus.request(
    bus.subjects.rpc('state', StatePutRpc.operation),
    StatePutRpc,
    { scope, key, expectedVersion, document: document as never },
    { principal: keyPrincipal('ops', ['admin']) },
  );

beforeAll(async () => {
  world = await createGatewayTestWorld();
  bus = await connectTestBus(world.context.namespace);
  ({ service: gateway, port } = await world.start(GATEWAY_ID, {
    SB_GATEWAY__CONNECTIONS__MAX_WATCHES: String(MAX_WATCHES),
    SB_GATEWAY__CONNECTIONS__MAX_QUEUED_BYTES: '1024',
  }));
  state = await spawnService('state', { ...world.context.env, SB_STATE__PORT: '0' });
});
afterAll(async () => {
  await state?.stop();
  await world?.stop();
  await bus?.close();
});

describe('state watches', () => {
  it('pushes state.changed to an agent watching its own scope, for an operator’s and another agent’s writes', async () => {
    const watcher = await registered('watcher-1');
    expect(await call(watcher, { type: 'state.watch' })).toMatchObject({
      type: 'result',
      result: { scope: 'agent:watcher-1' },
    });

    await operatorPut('agent:watcher-1', 'plan', 0, { step: 1 });
    expect(await watcher.next('state.changed')).toMatchObject({
      v: 1,
      type: 'state.changed',
      scope: 'agent:watcher-1',
      key: 'plan',
      version: 1,
      op: 'put',
    });

    const writer = await registered(
      'writer-1',
      await keyWith('writer-1', [
        { kind: 'state', scopes: ['agent:watcher-1'], access: ['read', 'write'] },
      ]),
    );
    expect(
      await call(writer, {
        type: 'state.put',
        scope: 'agent:watcher-1',
        key: 'plan',
        expectedVersion: 1,
        document: { step: 2 },
      }),
    ).toMatchObject({ type: 'result', result: { version: 2 } });
    const changed = await watcher.next('state.changed');
    expect(changed).toMatchObject({ scope: 'agent:watcher-1', key: 'plan', version: 2, op: 'put' });
    expect(changed).not.toHaveProperty('document');
    watcher.socket.close();
    writer.socket.close();
  });

  it('refuses a watch on a scope the agent may not read with E_FORBIDDEN, and allows it with a read grant', async () => {
    const agent = await registered('nosy-1');
    for (const scope of ['agent:watcher-1', 'team.alpha']) {
      expect(await call(agent, { type: 'state.watch', scope })).toMatchObject({
        type: 'error',
        error: { code: 'E_FORBIDDEN' },
      });
    }
    // A refused watch holds nothing.
    expect(await call(agent, { type: 'state.unwatch', scope: 'team.alpha' })).toMatchObject({
      result: { removed: false },
    });

    const reader = await registered(
      'reader-1',
      await keyWith('reader-1', [{ kind: 'state', scopes: ['team.>'], access: ['read'] }]),
    );
    expect(await call(reader, { type: 'state.watch', scope: 'team.alpha' })).toMatchObject({
      result: { scope: 'team.alpha' },
    });
    await operatorPut('team.alpha', 'roster', 0, ['a']);
    expect(await reader.next('state.changed')).toMatchObject({
      scope: 'team.alpha',
      key: 'roster',
      version: 1,
    });
    agent.socket.close();
    reader.socket.close();
  });

  it('stops the frames of a scope once it is unwatched', async () => {
    const agent = await registered(
      'reader-2',
      await keyWith('reader-2', [{ kind: 'state', scopes: ['team.>'], access: ['read'] }]),
    );
    await call(agent, { type: 'state.watch', scope: 'team.quiet' });
    await call(agent, { type: 'state.watch', scope: 'team.loud' });
    expect(await call(agent, { type: 'state.unwatch', scope: 'team.quiet' })).toMatchObject({
      result: { removed: true },
    });
    expect(await call(agent, { type: 'state.unwatch', scope: 'team.quiet' })).toMatchObject({
      result: { removed: false },
    });
    // Events reach the gateway in stream order: the quiet one would arrive before the loud one.
    await operatorPut('team.quiet', 'k', 0, 1);
    await operatorPut('team.loud', 'k', 0, 2);
    expect(await agent.next('state.changed')).toMatchObject({ scope: 'team.loud', version: 1 });
    agent.socket.close();
  });

  it('refuses a watch past gateway.connections.maxWatches with E_RATE_LIMITED', async () => {
    const agent = await registered(
      'reader-3',
      await keyWith('reader-3', [{ kind: 'state', scopes: ['team.>'], access: ['read'] }]),
    );
    for (const scope of ['team.a', 'team.b', 'team.c']) {
      expect(await call(agent, { type: 'state.watch', scope })).toMatchObject({ type: 'result' });
    }
    expect(await call(agent, { type: 'state.watch', scope: 'team.d' })).toMatchObject({
      type: 'error',
      error: { code: 'E_RATE_LIMITED' },
    });
    // Watching a scope again costs nothing; freeing one makes room.
    expect(await call(agent, { type: 'state.watch', scope: 'team.a' })).toMatchObject({
      type: 'result',
    });
    await call(agent, { type: 'state.unwatch', scope: 'team.a' });
    expect(await call(agent, { type: 'state.watch', scope: 'team.d' })).toMatchObject({
      result: { scope: 'team.d' },
    });
    agent.socket.close();
  });

  it('ends the watches of a connection with it', async () => {
    const stats = async () =>
      (await bus.request(bus.subjects.rpc('gateway', StatsRpc.operation), StatsRpc, {})).figures;
    await waitFor(async () => (await stats()).stateWatches === 0, { what: 'no watches left' });
    const agent = await registered('leaver-1');
    await call(agent, { type: 'state.watch' });
    expect((await stats()).stateWatches).toBe(1);
    agent.socket.close();
    await agent.closed;
    await waitFor(async () => (await stats()).stateWatches === 0, { what: 'the watch ended' });
  });

  it('counts a state.changed push missed for backpressure', async () => {
    const agent = await registered('slow-1');
    await call(agent, { type: 'state.watch' });
    agent.socket.pause();
    // Fill the gateway's queue for this agent with message pushes until it refuses more.
    const payload = 'x'.repeat(300_000);
    let refused = false;
    for (let round = 0; round < 500 && !refused; round += 1) {
      const { missed } = await bus.request(
        bus.subjects.gatewayDeliver(GATEWAY_ID),
        GatewayDeliverRpc,
        {
          pushes: [messagePush('slow-1', String(round + 1), payload)],
        },
      );
      refused = missed.length > 0;
    }
    expect(refused).toBe(true);
    await operatorPut('agent:slow-1', 'k', 0, {});
    await waitFor(
      async () =>
        (await metricValues(gateway, 'sb_gateway_pushes_missed_total')).some(
          ({ labels, value }) =>
            (labels as { kind?: string }).kind === 'state.changed' &&
            (labels as { reason?: string }).reason === 'backpressure' &&
            value === 1,
        ),
      { what: 'a missed state.changed push counted' },
    );
    agent.socket.terminate();
  });
});
