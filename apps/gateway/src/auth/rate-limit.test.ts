import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent } from '../test/agent-client.ts';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

let world: GatewayTestWorld;
let token: string;

const startGateway = async (id: string, env: Record<string, string>) =>
  (await world.start(id, env)).port;

beforeAll(async () => {
  world = await createGatewayTestWorld();
  token = world.agentToken;
});
afterAll(() => world?.stop());

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
