import type { NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { SbError } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbox } from './outbox.ts';
import { createRequestMux, type RequestMux } from './request-mux.ts';
import { capturingLogger, rawConnection, testNamespace } from './test-support.ts';

const namespace = testNamespace();
let server: NatsConnection;

beforeAll(async () => {
  server = await rawConnection();
});
afterAll(() => server?.close());

/** A mux on a connection of its own, so a test can close it. */
async function ownMux(): Promise<{ nc: NatsConnection; mux: RequestMux }> {
  const nc = await rawConnection();
  return { nc, mux: createRequestMux(nc, createOutbox(nc), capturingLogger()) };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe('requests over one reply inbox', () => {
  it('match each reply to its request when many leave in one turn and replies come out of order', async () => {
    const on = `${namespace}.mux.echo`;
    // Answers in reverse order of arrival, once all ten are in.
    const waiting: Array<{ respond: (data: Uint8Array) => boolean; data: Uint8Array }> = [];
    server.subscribe(on, {
      callback: (_error, msg) => {
        waiting.push(msg);
        if (waiting.length === 10) for (const held of waiting.reverse()) held.respond(held.data);
      },
    });
    await server.flush();
    const { nc, mux } = await ownMux();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        mux.request(on, bytes(`m${index}`), { timeoutMs: 5000, headers: natsHeaders() }),
      ),
    );
    expect(replies.map((reply) => text(reply.data))).toEqual(
      Array.from({ length: 10 }, (_, index) => `m${index}`),
    );
    await nc.close();
  });

  it('fail with E_UNAVAILABLE when nobody serves the subject, and E_TIMEOUT when nobody answers', async () => {
    const { nc, mux } = await ownMux();
    const nobody = `${namespace}.mux.nobody`;
    await expect(
      mux.request(nobody, bytes('x'), { timeoutMs: 5000, headers: natsHeaders() }),
    ).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: `no service answers ${nobody}; is it running?`,
    });
    const silent = `${namespace}.mux.silent`;
    server.subscribe(silent, { callback: () => {} });
    await server.flush();
    await expect(
      mux.request(silent, bytes('x'), { timeoutMs: 100, headers: natsHeaders() }),
    ).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: `no reply from ${silent} within 100 ms`,
    });
    await nc.close();
  });

  it('fail what waits at once when the connection closes, and refuse new requests', async () => {
    const silent = `${namespace}.mux.closing`;
    server.subscribe(silent, { callback: () => {} });
    await server.flush();
    const { nc, mux } = await ownMux();
    const waiting = mux.request(silent, bytes('x'), { timeoutMs: 60_000, headers: natsHeaders() });
    await nc.flush();
    await nc.close();
    const error = (await waiting.catch((caught: unknown) => caught)) as SbError;
    expect(error).toMatchObject({ code: 'E_UNAVAILABLE' });
    await expect(
      mux.request(silent, bytes('x'), { timeoutMs: 1000, headers: natsHeaders() }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('hand a request the client refuses its error', async () => {
    const { nc, mux } = await ownMux();
    await expect(
      mux.request('bad subject with spaces', bytes('x'), {
        timeoutMs: 1000,
        headers: natsHeaders(),
      }),
    ).rejects.toBeInstanceOf(Error);
    await nc.close();
  });
});
