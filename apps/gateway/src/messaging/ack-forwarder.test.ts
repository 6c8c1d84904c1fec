import { PassThrough } from 'node:stream';
import { decodePrincipal, type Principal } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import { createLogger } from '@switchboard/logger';
import { type AckFrame, type NackFrame, RouterAckRpc, SbError } from '@switchboard/protocol';
import { connectTestBus, createTestContext, type TestContext, waitFor } from '@switchboard/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createAckForwarder, MAX_ACK_BATCH } from './ack-forwarder.ts';
import { createMessagingMetrics } from './messaging-metrics.ts';

let context: TestContext;
let bus: Bus;
const requests: Array<{ request: z.infer<typeof RouterAckRpc.request>; agent: string }> = [];
const logLines: Array<Record<string, unknown>> = [];

const connectionOf = (keyId: string): { principal: Principal } => ({
  principal: {
    id: `key:${keyId}`,
    credential: { type: 'api_key', id: keyId },
    agentIds: ['*'],
    roles: [],
    grants: [],
  },
});
const ack = (deliveryId: string): AckFrame => ({
  v: 1,
  type: 'ack',
  id: `a${deliveryId}`,
  deliveryId,
});
const nack = (deliveryId: string): NackFrame => ({
  v: 1,
  type: 'nack',
  id: `n${deliveryId}`,
  deliveryId,
});

function forwarder() {
  const destination = new PassThrough();
  destination.on('data', (line: Buffer) => {
    logLines.push(JSON.parse(line.toString()) as Record<string, unknown>);
  });
  const log = createLogger({
    service: 'gateway',
    instanceId: 'acks-test',
    level: 'warn',
    format: 'json',
    destination,
  });
  const metrics = createMessagingMetrics(new Registry());
  return { acks: createAckForwarder({ bus, log, metrics }), metrics };
}

beforeAll(async () => {
  context = await createTestContext();
  bus = await connectTestBus(context.namespace);
  bus.serve(
    bus.subjects.rpc('router', RouterAckRpc.operation),
    RouterAckRpc,
    async (request, { principal }) => {
      requests.push({ request, agent: decodePrincipal(principal).id });
      if (request.acks.includes('666')) throw new SbError('E_UNAVAILABLE', 'router is busy');
      return { applied: request.acks.length + request.nacks.length, ignored: 0 };
    },
    { queue: bus.subjects.queueGroup('router') },
  );
  await bus.ping();
});
afterAll(async () => {
  await bus?.close();
  await context?.cleanup();
});

describe('the ack forwarder', () => {
  it('sends a full batch at once and the rest of the tick per connection', async () => {
    requests.length = 0;
    const { acks, metrics } = forwarder();
    const first = connectionOf('k1');
    const second = connectionOf('k2');
    const ids = Array.from({ length: MAX_ACK_BATCH + 1 }, (_, index) => String(10_000 + index));
    for (const id of ids) acks.add(first, 'agent-a', ack(id));
    acks.add(first, 'agent-a', nack('5000'));
    acks.add(second, 'agent-b', ack('6000'));
    await waitFor(() => requests.length === 3, { what: 'three ack requests' });
    const sorted = [...requests].sort((a, b) => b.request.acks.length - a.request.acks.length);
    expect(sorted).toEqual([
      { agent: 'agent:agent-a', request: { acks: ids.slice(0, MAX_ACK_BATCH), nacks: [] } },
      {
        agent: 'agent:agent-a',
        request: { acks: ids.slice(MAX_ACK_BATCH), nacks: [{ deliveryId: '5000' }] },
      },
      { agent: 'agent:agent-b', request: { acks: ['6000'], nacks: [] } },
    ]);
    await acks.stop();
    expect(metrics.stats()).toEqual({
      pushesWritten: 0,
      pushesMissed: 0,
      acksForwarded: MAX_ACK_BATCH + 2,
      nacksForwarded: 1,
    });
  });

  it('logs a failed request at warn and counts it, and goes on', async () => {
    requests.length = 0;
    const { acks, metrics } = forwarder();
    acks.add(connectionOf('k3'), 'agent-c', ack('666'));
    const warning = await waitFor(() => logLines.find((line) => line.agentId === 'agent-c'), {
      what: 'a warning',
    });
    expect(warning).toMatchObject({ level: 'warn', acks: 1, nacks: 0, err: expect.anything() });
    acks.add(connectionOf('k3'), 'agent-c', ack('667'));
    await acks.stop();
    expect(requests.map((entry) => entry.request.acks)).toEqual([['666'], ['667']]);
    expect(metrics.stats()).toMatchObject({ acksForwarded: 1 });
  });

  it('sends what is batched when stopped, and waits for it', async () => {
    requests.length = 0;
    const { acks } = forwarder();
    acks.add(connectionOf('k4'), 'agent-d', nack('77'));
    await acks.stop();
    expect(requests).toEqual([
      { agent: 'agent:agent-d', request: { acks: [], nacks: [{ deliveryId: '77' }] } },
    ]);
  });
});
