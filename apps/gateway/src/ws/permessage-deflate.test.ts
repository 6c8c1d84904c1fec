import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createGatewayTestWorld, type GatewayTestWorld } from '../test/start-gateway.ts';

let world: GatewayTestWorld;
let plainPort: number;
let deflatePort: number;

beforeAll(async () => {
  world = await createGatewayTestWorld();
  ({ port: plainPort } = await world.start('gw-plain'));
  ({ port: deflatePort } = await world.start('gw-deflate', {
    SB_GATEWAY__CONNECTIONS__PERMESSAGE_DEFLATE__ENABLED: 'true',
    SB_GATEWAY__CONNECTIONS__PERMESSAGE_DEFLATE__THRESHOLD_BYTES: '64',
  }));
});
afterAll(async () => {
  await world?.stop();
});

/** Opens an agent socket that offers permessage-deflate (or not) and answers its first frame. */
async function open(port: number, offerDeflate: boolean) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/connect`, ['sb.v1'], {
    headers: { authorization: `Bearer ${world.agentToken}` },
    perMessageDeflate: offerDeflate,
  });
  await once(socket, 'open');
  const reply = once(socket, 'message');
  // A frame the gateway refuses: its error frame proves frames still flow both ways.
  socket.send(JSON.stringify({ v: 1, type: 'nonsense', id: 'x'.repeat(100) }));
  const [data] = (await reply) as [Buffer];
  socket.close();
  return { extensions: socket.extensions, reply: JSON.parse(data.toString()) as { type: string } };
}

describe('permessage-deflate on the agent WebSocket', () => {
  it('is negotiated when the setting is on and the client offers it, and frames still flow', async () => {
    const deflated = await open(deflatePort, true);
    expect(deflated.extensions).toContain('permessage-deflate');
    expect(deflated.reply.type).toBe('error');
    const declined = await open(deflatePort, false);
    expect(declined.extensions).toBe('');
    expect(declined.reply.type).toBe('error');
  });

  it('is not negotiated when the setting is off (the default)', async () => {
    const plain = await open(plainPort, true);
    expect(plain.extensions).toBe('');
    expect(plain.reply.type).toBe('error');
  });
});
