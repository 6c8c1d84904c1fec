import {
  AgentConnectedEventSchema,
  AgentDisconnectedEventSchema,
  type AgentLifecycleEvent,
  AgentLifecycleEventSchema,
  LifecycleGetRpc,
  LifecycleHistoryRpc,
  LifecycleTransitionRpc,
  SbError,
} from '@switchboard/protocol';
import { agentPrincipal, keyPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateHarness, type StateHarness } from './test-state.ts';

let harness: StateHarness;
const admin = keyPrincipal('admin', ['admin']);
const published: AgentLifecycleEvent[] = [];

const subject = (operation: string) => harness.bus.subjects.rpc('state', operation);
const move = (agentId: string, to: string, principal = agentPrincipal(agentId)) =>
  harness.bus.request(
    subject('lifecycle.transition'),
    LifecycleTransitionRpc,
    { agentId, to: to as never },
    { principal },
  );
const status = async (agentId: string) =>
  (
    await harness.bus.request(
      subject('lifecycle.get'),
      LifecycleGetRpc,
      { agentId },
      {
        principal: admin,
      },
    )
  ).status;
const history = async (agentId: string) =>
  (
    await harness.bus.request(
      subject('lifecycle.history'),
      LifecycleHistoryRpc,
      { agentId, limit: 100 },
      { principal: admin },
    )
  ).items
    .map((item) => `${item.from}>${item.to}`)
    .reverse();

function connected(agentId: string, connectionId: string, at = new Date()) {
  return harness.bus.publishEvent(
    harness.bus.subjects.event('agent', 'connected'),
    AgentConnectedEventSchema,
    { agentId, gatewayId: 'gw1', connectionId, at: at.toISOString() },
  );
}

function disconnected(
  agentId: string,
  connectionId: string,
  reason: 'closed' | 'heartbeat_timeout' | 'replaced',
) {
  return harness.bus.publishEvent(
    harness.bus.subjects.event('agent', 'disconnected'),
    AgentDisconnectedEventSchema,
    { agentId, gatewayId: 'gw1', connectionId, at: new Date().toISOString(), reason },
  );
}

beforeAll(async () => {
  harness = await createStateHarness();
  // Events published before the service starts are caught up from the stream.
  await connected('early', 'c-early');
  await harness.start('state-a');
  await harness.start('state-b');
  await harness.bus.consumeEvents({
    filterSubject: harness.bus.subjects.event('agent', 'lifecycle'),
    schema: AgentLifecycleEventSchema,
    handler: async ({ payload }) => void published.push(payload),
  });
});
afterAll(async () => {
  await harness?.stop();
});

describe('the agent lifecycle', () => {
  it('starts unknown agents as registered at version 0', async () => {
    expect(await status('nobody')).toBe('registered');
  });

  it('records legal transitions in order and publishes each', async () => {
    for (const to of ['starting', 'idle', 'busy', 'idle', 'stopping', 'stopped'])
      await move('a1', to);
    expect(await history('a1')).toEqual([
      'registered>starting',
      'starting>idle',
      'idle>busy',
      'busy>idle',
      'idle>stopping',
      'stopping>stopped',
    ]);
    await waitFor(() => published.filter((event) => event.agentId === 'a1').length === 6, {
      what: 'six lifecycle events',
    });
    expect(
      published.filter((event) => event.agentId === 'a1').map((event) => event.version),
    ).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses an illegal transition naming from and to, and records nothing', async () => {
    await move('a2', 'starting');
    let refused: unknown;
    try {
      await move('a2', 'busy');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SbError);
    expect(refused).toMatchObject({
      code: 'E_INVALID_TRANSITION',
      message: expect.stringContaining('cannot go from starting to busy'),
    });
    expect(await history('a2')).toEqual(['registered>starting']);
  });

  it('refuses another agent lifecycle without a grant', async () => {
    await expect(move('a3', 'starting', agentPrincipal('a4'))).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });

  it('catches up with connects published while it was down', async () => {
    await waitFor(async () => (await status('early')) === 'starting', { what: 'early starting' });
  });

  it('follows connects and disconnects from the gateway, once per connection', async () => {
    await connected('g1', 'c1');
    await waitFor(async () => (await status('g1')) === 'starting', { what: 'g1 starting' });
    await move('g1', 'idle');
    await connected('g1', 'c1'); // a redelivery changes nothing
    await disconnected('g1', 'c1', 'closed');
    await waitFor(async () => (await status('g1')) === 'stopped', { what: 'g1 stopped' });
    await connected('g1', 'c2');
    await waitFor(async () => (await status('g1')) === 'starting', { what: 'g1 restarted' });
    await disconnected('g1', 'c2', 'heartbeat_timeout');
    await waitFor(async () => (await status('g1')) === 'error', { what: 'g1 error' });
    expect(await history('g1')).toEqual([
      'registered>starting',
      'starting>idle',
      'idle>stopping',
      'stopping>stopped',
      'stopped>starting',
      'starting>error',
    ]);
  });

  it('ignores the end of a replaced connection and a connect older than the newest, in any order', async () => {
    const now = Date.now();
    // Two replicas share the consumer: these may be applied in any order.
    await connected('g2', 'c2', new Date(now));
    await connected('g2', 'c1', new Date(now - 1000));
    await disconnected('g2', 'c1', 'replaced');
    await connected('g3', 'marker');
    await waitFor(async () => (await status('g3')) === 'starting', {
      what: 'later events applied',
    });
    await waitFor(async () => (await status('g2')) === 'starting', { what: 'g2 starting' });
    expect(await history('g2')).toEqual(['registered>starting']);
  });
});
