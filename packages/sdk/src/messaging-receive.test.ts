import { SbError } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from './agent-client.ts';
import { connect } from './connect.ts';
import type { ConnectSettings } from './options.ts';
import type { Frame } from './test-gateway.ts';
import { deliveredMessage, deliverFrame, gate } from './test-messages.ts';
import {
  type ScriptedConnection,
  type ScriptedGateway,
  startScriptedGateway,
} from './test-scripted-gateway.ts';

const clients: AgentClient[] = [];
const gateways: ScriptedGateway[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

/** A client of a scripted gateway that accepts every send; its connection. */
async function connected(settings: Partial<ConnectSettings> = {}) {
  const gateway = await startScriptedGateway({
    onFrame: (connection, frame) => {
      if (frame.type !== 'send') return false;
      const message = frame.message as { id: string };
      connection.send({
        v: 1,
        type: 'result',
        id: `r-${message.id}`,
        re: frame.id,
        result: { messageId: message.id, recipients: 1, duplicate: false },
      });
      return true;
    },
  });
  gateways.push(gateway);
  const client = await connect({
    url: gateway.url,
    token: 't',
    agent: { id: 'receiver', name: 'Receiver', version: '1' },
    ...settings,
  });
  clients.push(client);
  const connection = gateway.connections[0] as ScriptedConnection;
  const framesOf = (type: string) => connection.received.filter((frame) => frame.type === type);
  return { client, connection, framesOf };
}

function answersOf(frames: Frame[]): Frame[] {
  return frames
    .filter((frame) => frame.type === 'ack' || frame.type === 'nack')
    .map(({ v: _v, id: _id, ...rest }) => rest);
}

describe('receiving messages', () => {
  it('acks a delivery once the handler has resolved', async () => {
    const { client, connection } = await connected();
    const release = gate();
    const seen: unknown[] = [];
    client.onMessage(async (message, context) => {
      seen.push({ payload: message.payload, ...context });
      await release.promise;
    });
    connection.send(
      deliverFrame(deliveredMessage({ payload: 'work' }), { deliveryId: '11', attempt: 3 }),
    );
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual([{ payload: 'work', deliveryId: '11', attempt: 3 }]);
    expect(answersOf(connection.received)).toEqual([]);
    release.open();
    await waitFor(() => answersOf(connection.received).length === 1);
    expect(answersOf(connection.received)).toEqual([{ type: 'ack', deliveryId: '11' }]);
  });

  it('nacks with the error’s code when the handler throws, and when to retry if it says', async () => {
    const { client, connection } = await connected();
    client.onMessage((message) => {
      if (message.payload === 'busy') {
        throw new SbError('E_RATE_LIMITED', 'too busy now', { details: { retryAfterMs: 250 } });
      }
      throw new TypeError('a bug with a secret in it');
    });
    connection.send(deliverFrame(deliveredMessage({ payload: 'busy' }), { deliveryId: '1' }));
    connection.send(deliverFrame(deliveredMessage({ payload: 'bug' }), { deliveryId: '2' }));
    await waitFor(() => answersOf(connection.received).length === 2);
    expect(answersOf(connection.received)).toEqual([
      {
        type: 'nack',
        deliveryId: '1',
        error: { code: 'E_RATE_LIMITED', message: 'too busy now', details: { retryAfterMs: 250 } },
        retryAfterMs: 250,
      },
      {
        type: 'nack',
        deliveryId: '2',
        error: { code: 'E_INTERNAL', message: 'the message handler failed; the agent logged why' },
      },
    ]);
  });

  it('calls the handler once for a message delivered twice, and acks both', async () => {
    const { client, connection } = await connected();
    let calls = 0;
    client.onMessage(() => {
      calls += 1;
    });
    const message = deliveredMessage();
    connection.send(deliverFrame(message, { deliveryId: '5' }));
    await waitFor(() => answersOf(connection.received).length === 1);
    connection.send(deliverFrame(message, { deliveryId: '5', attempt: 2 }));
    await waitFor(() => answersOf(connection.received).length === 2);
    expect(answersOf(connection.received)).toEqual([
      { type: 'ack', deliveryId: '5' },
      { type: 'ack', deliveryId: '5' },
    ]);
    expect(calls).toBe(1);
  });

  it('answers a copy that arrives while the first is handled with the first one’s outcome', async () => {
    const { client, connection } = await connected();
    const outcomes = [gate(), gate()];
    let calls = 0;
    client.onMessage(async () => {
      calls += 1;
      await outcomes[calls - 1]?.promise;
    });
    const message = deliveredMessage();
    connection.send(deliverFrame(message, { deliveryId: '1' }));
    await waitFor(() => calls === 1);
    connection.send(deliverFrame(message, { deliveryId: '2' }));
    // A ping round trip: the copy has arrived and waits.
    connection.send({ v: 1, type: 'ping', id: 'after-copy' });
    await waitFor(() => connection.received.some((frame) => frame.re === 'after-copy'));
    expect(answersOf(connection.received)).toEqual([]);
    outcomes[0]?.fail(new SbError('E_UNAVAILABLE', 'the database is down'));
    await waitFor(() => answersOf(connection.received).length === 2);
    expect(answersOf(connection.received).map((frame) => [frame.type, frame.deliveryId])).toEqual([
      ['nack', '1'],
      ['nack', '2'],
    ]);
    connection.send(deliverFrame(message, { deliveryId: '1', attempt: 2 }));
    connection.send(deliverFrame(message, { deliveryId: '2', attempt: 2 }));
    await waitFor(() => calls === 2);
    outcomes[1]?.open();
    await waitFor(() => answersOf(connection.received).length === 4);
    expect(answersOf(connection.received).slice(2)).toEqual([
      { type: 'ack', deliveryId: '1' },
      { type: 'ack', deliveryId: '2' },
    ]);
    expect(calls).toBe(2);
  });

  it('hands messages to the handler one at a time, in order of arrival', async () => {
    const { client, connection } = await connected();
    const events: string[] = [];
    const first = gate();
    client.onMessage(async (message) => {
      events.push(`start ${message.payload}`);
      if (message.payload === 1) await first.promise;
      events.push(`end ${message.payload}`);
    });
    for (const payload of [1, 2, 3]) {
      connection.send(deliverFrame(deliveredMessage({ payload }), { deliveryId: String(payload) }));
    }
    await waitFor(() => events.length === 1);
    connection.send({ v: 1, type: 'ping', id: 'all-arrived' });
    await waitFor(() => connection.received.some((frame) => frame.re === 'all-arrived'));
    expect(events).toEqual(['start 1']);
    first.open();
    await waitFor(() => answersOf(connection.received).length === 3);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(answersOf(connection.received).map((frame) => frame.deliveryId)).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('runs up to messageConcurrency handler calls at once', async () => {
    const { client, connection } = await connected({ messageConcurrency: 2 });
    const release = gate();
    let running = 0;
    client.onMessage(async () => {
      running += 1;
      await release.promise;
    });
    for (const payload of [1, 2, 3]) connection.send(deliverFrame(deliveredMessage({ payload })));
    await waitFor(() => running === 2);
    release.open();
    await waitFor(() => answersOf(connection.received).length === 3);
    expect(running).toBe(3);
  });

  it('holds deliveries that arrive before a handler is set', async () => {
    const { client, connection } = await connected();
    connection.send(deliverFrame(deliveredMessage({ payload: 'early' }), { deliveryId: '9' }));
    connection.send({ v: 1, type: 'ping', id: 'arrived' });
    await waitFor(() => connection.received.some((frame) => frame.re === 'arrived'));
    expect(answersOf(connection.received)).toEqual([]);
    const seen: unknown[] = [];
    client.onMessage((message) => void seen.push(message.payload));
    await waitFor(() => answersOf(connection.received).length === 1);
    expect(seen).toEqual(['early']);
  });

  it('sends the handler’s value back to a sender that asked for a reply, then acks', async () => {
    const { client, connection, framesOf } = await connected();
    client.onMessage((message) => ({ echo: message.payload }));
    const request = deliveredMessage({ payload: 'ping?', replyTo: 'asker', conversationId: 'c-1' });
    connection.send(deliverFrame(request, { deliveryId: '3' }));
    await waitFor(() => answersOf(connection.received).length === 1);
    const [reply] = framesOf('send');
    expect(reply?.message).toEqual({
      id: expect.any(String),
      to: { kind: 'agent', agentId: 'asker' },
      payload: { echo: 'ping?' },
      correlationId: request.id,
      conversationId: 'c-1',
    });
    const sendAt = connection.received.indexOf(reply as Frame);
    const ackAt = connection.received.findIndex((frame) => frame.type === 'ack');
    expect(ackAt).toBeGreaterThan(sendAt);
    const another = deliveredMessage({ payload: 2, replyTo: 'asker' });
    connection.send(deliverFrame(another, { deliveryId: '4' }));
    await waitFor(() => answersOf(connection.received).length === 2);
    expect(framesOf('send')[1]?.message).toEqual({
      id: expect.any(String),
      to: { kind: 'agent', agentId: 'asker' },
      payload: { echo: 2 },
      correlationId: another.id,
    });
  });

  it('acks the redelivery of a message handled while disconnected, without handling it again', async () => {
    const { client, connection } = await connected({
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    const release = gate();
    let calls = 0;
    client.onMessage(async () => {
      calls += 1;
      await release.promise;
    });
    const message = deliveredMessage();
    connection.send(deliverFrame(message, { deliveryId: '8' }));
    await waitFor(() => calls === 1);
    const reconnected = new Promise((resolve) => client.on('connected', resolve));
    // Finished while disconnected: its ack cannot be sent, so the router delivers it again.
    client.on('disconnected', () => release.open());
    connection.socket.close(1001, 'the gateway is stopping');
    await reconnected;
    const next = gateways[0]?.connections[1] as ScriptedConnection;
    next.send(deliverFrame(message, { deliveryId: '8', attempt: 2 }));
    await waitFor(() => answersOf(next.received).length === 1);
    expect(answersOf(next.received)).toEqual([{ type: 'ack', deliveryId: '8' }]);
    expect(answersOf(connection.received)).toEqual([]);
    expect(calls).toBe(1);
  });

  it('emits a receipt event when a recipient acked a message sent with receipt: true', async () => {
    const { client, connection } = await connected();
    const receipts: unknown[] = [];
    client.on('receipt', (receipt) => receipts.push(receipt));
    const messageId = '0190a000-0000-7000-8000-0000000000aa';
    const at = '2026-01-01T00:00:01.000Z';
    connection.send({ v: 1, type: 'receipt', id: 'rc1', messageId, recipient: 'worker', at });
    await waitFor(() => receipts.length === 1);
    expect(receipts).toEqual([{ messageId, recipient: 'worker', at }]);
  });
});
