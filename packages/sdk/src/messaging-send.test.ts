import { waitFor } from '@switchboard/testing';
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from './agent-client.ts';
import { connect } from './connect.ts';
import type { Frame } from './test-gateway.ts';
import { deliveredMessage, deliverFrame } from './test-messages.ts';
import {
  type Script,
  type ScriptedConnection,
  type ScriptedGateway,
  startScriptedGateway,
} from './test-scripted-gateway.ts';

const clients: AgentClient[] = [];
const gateways: ScriptedGateway[] = [];
const fast = { reconnect: { initialDelayMs: 5, maxDelayMs: 20 } };

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

type SendAnswer = 'accept' | 'drop' | 'close' | { code: string; message: string };

/**
 * A scripted gateway that answers `send` frames as `answer` says (default: accept, saying
 * `duplicate` for an id it accepted before), and other router frames with `results[type]`.
 */
async function scripted(
  answer: (
    connection: ScriptedConnection,
    message: { id: string },
    accepted: Set<string>,
  ) => SendAnswer = () => 'accept',
  results: Record<string, unknown> = {},
) {
  const accepted = new Set<string>();
  const onFrame: Script['onFrame'] = (connection, frame) => {
    const reply = (body: Frame) =>
      connection.send({ v: 1, id: `g-${frame.id}`, re: frame.id, ...body });
    if (typeof frame.type === 'string' && frame.type in results) {
      reply({ type: 'result', result: results[frame.type] });
      return true;
    }
    if (frame.type !== 'send') return false;
    const message = frame.message as { id: string };
    const verdict = answer(connection, message, accepted);
    if (verdict === 'drop') return true;
    if (verdict === 'close') {
      connection.socket.close(1001, 'the gateway is stopping');
      return true;
    }
    if (verdict !== 'accept') {
      reply({ type: 'error', error: verdict });
      return true;
    }
    const duplicate = accepted.has(message.id);
    accepted.add(message.id);
    reply({ type: 'result', result: { messageId: message.id, recipients: 1, duplicate } });
    return true;
  };
  const gateway = await startScriptedGateway({ onFrame });
  gateways.push(gateway);
  const client = await connect({
    url: gateway.url,
    token: 't',
    agent: { id: 'sender', name: 'Sender', version: '1' },
    ...fast,
  });
  clients.push(client);
  const sent = () =>
    gateway.connections.flatMap((connection) =>
      connection.received
        .filter((frame) => frame.type === 'send')
        .map((frame) => ({ attempt: connection.attempt, message: frame.message as Frame })),
    );
  return { gateway, client, sent };
}

describe('sending messages', () => {
  it('gives each message a UUIDv7 id and resolves once it is accepted', async () => {
    const { client, sent } = await scripted();
    const result = await client.send({
      to: { kind: 'topic', topic: 'orders.eu' },
      payload: { n: 1 },
      headers: { region: 'eu' },
      priority: 7,
      receipt: true,
    });
    const [frame] = sent();
    const id = frame?.message.id as string;
    expect(isUuid(id) && uuidVersion(id)).toBe(7);
    expect(result).toEqual({ messageId: id, recipients: 1, duplicate: false });
    expect(frame?.message).toEqual({
      id,
      to: { kind: 'topic', topic: 'orders.eu' },
      payload: { n: 1 },
      headers: { region: 'eu' },
      priority: 7,
      receipt: true,
    });
  });

  it('builds the target of each convenience call', async () => {
    const { client, sent } = await scripted();
    await client.sendTo('worker-1', 'direct', {
      ttlMs: 1000,
      conversationId: 'c',
      timeoutMs: 5000,
    });
    await client.publish('jobs.new', 'topic');
    await client.broadcast('all');
    await client.broadcast('some', { capability: 'ocr', labels: { team: 'a' } });
    await client.anycast('ocr', 'one', { strategy: 'least_loaded', labels: { zone: 'x' } });
    await client.anycast('ocr', 'any');
    expect(sent().map(({ message: { id: _id, ...rest } }) => rest)).toEqual([
      {
        to: { kind: 'agent', agentId: 'worker-1' },
        payload: 'direct',
        ttlMs: 1000,
        conversationId: 'c',
      },
      { to: { kind: 'topic', topic: 'jobs.new' }, payload: 'topic' },
      { to: { kind: 'broadcast' }, payload: 'all' },
      { to: { kind: 'broadcast', capability: 'ocr', labels: { team: 'a' } }, payload: 'some' },
      {
        to: { kind: 'anycast', capability: 'ocr', strategy: 'least_loaded', labels: { zone: 'x' } },
        payload: 'one',
      },
      { to: { kind: 'anycast', capability: 'ocr' }, payload: 'any' },
    ]);
  });

  it('refuses an invalid message before sending it, and rejects with the router’s refusal', async () => {
    const { client, sent } = await scripted(() => ({ code: 'E_FORBIDDEN', message: 'no grant' }));
    await expect(client.publish('orders.>', 1)).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(sent()).toEqual([]);
    await expect(client.publish('orders.eu', 1)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'no grant',
    });
    expect(sent()).toHaveLength(1);
  });

  it('sends an unaccepted message again after a reconnect, with the same id', async () => {
    const { client, gateway, sent } = await scripted((connection) =>
      connection.attempt === 1 ? 'close' : 'accept',
    );
    const result = await client.sendTo('worker', { n: 1 });
    const attempts = sent();
    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2]);
    expect(attempts[1]?.message).toEqual(attempts[0]?.message);
    expect(result).toMatchObject({ messageId: attempts[0]?.message.id, duplicate: false });
    expect(gateway.attempts()).toBe(2);
  });

  it('keeps a message the router may have stored: the re-send is acknowledged as a duplicate', async () => {
    const { client, sent } = await scripted((_connection, message, accepted) => {
      if (accepted.has(message.id)) return 'accept';
      // Stored, but the router's answer was lost on the way: the gateway says so.
      accepted.add(message.id);
      return { code: 'E_UNAVAILABLE', message: 'the router did not answer in time' };
    });
    const result = await client.sendTo('worker', 1);
    expect(result.duplicate).toBe(true);
    expect(sent().map((attempt) => attempt.attempt)).toEqual([1, 1]);
    expect(sent()[1]?.message).toEqual(sent()[0]?.message);
  });

  it('waits for the reconnect when sent while disconnected', async () => {
    const { client, gateway, sent } = await scripted();
    const sending = new Promise<ReturnType<typeof client.sendTo>>((resolve) => {
      client.on('disconnected', () => {
        expect(client.state).toBe('reconnecting');
        resolve(client.sendTo('worker', 'while away'));
      });
    });
    gateway.connections[0]?.socket.close(1001, 'restarting');
    const result = await await sending;
    expect(sent().map((attempt) => attempt.attempt)).toEqual([2]);
    expect(result.duplicate).toBe(false);
  });

  it('rejects with E_TIMEOUT when never accepted, and with the abort reason when aborted', async () => {
    const { client } = await scripted(() => 'drop');
    await expect(client.sendTo('worker', 1, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: expect.stringMatching(/^message [0-9a-f-]{36} was not accepted within 50 ms$/),
    });
    const controller = new AbortController();
    const sending = client.sendTo('worker', 2, { signal: controller.signal });
    controller.abort(new Error('the user cancelled'));
    await expect(sending).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    const closing = expect(client.sendTo('worker', 3)).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: 'the client was closed',
    });
    await client.close();
    await closing;
  });
});

describe('request/reply', () => {
  it('resolves with the reply that names the request, which never reaches the handler', async () => {
    const { client, gateway, sent } = await scripted();
    const handled: unknown[] = [];
    client.onMessage((message) => void handled.push(message.payload));
    const replying = client.request('worker', { question: 1 }, { timeoutMs: 5000 });
    await waitFor(() => sent().length === 1);
    const request = sent()[0]?.message as Frame;
    expect(request).toMatchObject({
      to: { kind: 'agent', agentId: 'worker' },
      payload: { question: 1 },
      expectsReply: true,
      ttlMs: 5000,
    });
    const connection = gateway.connections[0] as ScriptedConnection;
    const reply = deliveredMessage({
      from: 'worker',
      payload: 42,
      correlationId: request.id as string,
    });
    connection.send(deliverFrame(reply, { deliveryId: '77' }));
    await expect(replying).resolves.toEqual(reply);
    await waitFor(() => connection.received.some((frame) => frame.type === 'ack'));
    expect(connection.received.find((frame) => frame.type === 'ack')).toMatchObject({
      deliveryId: '77',
    });
    expect(handled).toEqual([]);
  });

  it('rejects with E_TIMEOUT naming the agent, then acks and drops the late reply', async () => {
    const { client, gateway, sent } = await scripted();
    const handled: unknown[] = [];
    client.onMessage((message) => void handled.push(message.payload));
    await expect(
      client.request('slow-worker', 'q', { timeoutMs: 50, ttlMs: 60_000 }),
    ).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: 'agent slow-worker did not reply within 50 ms',
    });
    expect(sent()[0]?.message.ttlMs).toBe(60_000);
    const connection = gateway.connections[0] as ScriptedConnection;
    const late = deliveredMessage({ correlationId: sent()[0]?.message.id as string });
    connection.send(deliverFrame(late, { deliveryId: '78' }));
    connection.send(deliverFrame(deliveredMessage({ payload: 'other' }), { deliveryId: '79' }));
    await waitFor(() => connection.received.filter((frame) => frame.type === 'ack').length === 2);
    expect(handled).toEqual(['other']);
  });

  it('rejects with the send’s error when the request cannot be sent', async () => {
    const { client } = await scripted(() => ({ code: 'E_NOT_FOUND', message: 'no agent ghost' }));
    await expect(client.request('ghost', 1)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});

const deadLetter = {
  id: '42',
  agentId: 'sender',
  attempts: 3,
  reason: 'max_attempts',
  lastError: null,
  deadAt: '2026-01-01T00:00:00.000Z',
  message: deliveredMessage(),
};

describe('subscriptions and dead letters', () => {
  it('sends the frames and reads their results', async () => {
    const subscription = {
      agentId: 'sender',
      pattern: 'orders.*',
      filter: { headers: { region: 'eu' } },
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    const { client, gateway } = await scripted(undefined, {
      subscribe: subscription,
      unsubscribe: { removed: true },
      subscriptions: { items: [subscription] },
      'dlq.list': { items: [], nextCursor: null },
      'dlq.get': deadLetter,
    });
    expect(await client.subscribe('orders.*', { filter: { headers: { region: 'eu' } } })).toEqual(
      subscription,
    );
    expect(await client.subscriptions()).toEqual([subscription]);
    expect(await client.unsubscribe('orders.*')).toBe(true);
    expect(await client.deadLetters.list({ limit: 5 })).toEqual({ items: [], nextCursor: null });
    expect(await client.deadLetters.get('42')).toEqual(deadLetter);
    expect(
      gateway.connections[0]?.received
        .filter((frame) => !['hello', 'register', 'ping'].includes(frame.type as string))
        .map(({ v: _v, id: _id, ...rest }) => rest),
    ).toEqual([
      { type: 'subscribe', pattern: 'orders.*', filter: { headers: { region: 'eu' } } },
      { type: 'subscriptions' },
      { type: 'unsubscribe', pattern: 'orders.*' },
      { type: 'dlq.list', limit: 5 },
      { type: 'dlq.get', deliveryId: '42' },
    ]);
    await expect(client.subscribe('orders..eu')).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });
});
