import { randomUUID } from 'node:crypto';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { defineRpc, Headers, SbError } from '@switchboard/protocol';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeJson } from './codec.ts';
import { connectNatsBus } from './connect.ts';
import { ReplyEnvelopeSchema } from './envelope.ts';
import type { NatsBus } from './nats-bus.ts';
import {
  capturingLogger,
  deleteStreams,
  natsUrl,
  rawConnection,
  testNamespace,
  waitFor,
} from './test-support.ts';

const EchoRpc = defineRpc(
  'echo',
  z.object({ text: z.string() }).strict(),
  z.object({ text: z.string(), by: z.string() }),
);

const namespace = testNamespace();
const log = capturingLogger();
const metrics = new Registry();
let bus: NatsBus;
let raw: NatsConnection;
// Handlers that must not answer wait on this; afterAll opens it so that close() need not wait.
let releaseHung: () => void = () => {};
const hung = new Promise<never>((_resolve, reject) => {
  releaseHung = () => reject(new SbError('E_UNAVAILABLE', 'test over'));
});
hung.catch(() => {});

/** A fresh subject per test, so tests never see each other's servers. */
function subject(): string {
  return bus.subjects.rpc('router', `echo_${randomUUID().slice(0, 8)}`);
}

function serveEcho(on: string, by = 'one') {
  return bus.serve(on, EchoRpc, async ({ text }) => ({ text, by }), {
    queue: bus.subjects.queueGroup('router'),
  });
}

/** Sends bytes as a raw NATS request and parses the envelope of the reply. */
async function rawRequest(on: string, data: Uint8Array, encoding?: string) {
  // The serving subscription is on another connection: a round trip makes the server know it.
  await bus.ping();
  const headers = natsHeaders();
  if (encoding !== undefined) headers.set(Headers.encoding, encoding);
  const reply = await raw.request(on, data, { timeout: 5000, headers });
  return ReplyEnvelopeSchema.parse(JSON.parse(new TextDecoder().decode(reply.data)));
}

async function rejectionOf(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error instanceof SbError) return error;
  throw new Error(`expected an SbError, got ${String(error)}`);
}

beforeAll(async () => {
  bus = await connectNatsBus({
    namespace,
    servers: [natsUrl],
    requestTimeoutMs: () => 5000,
    log,
    metrics,
  });
  raw = await rawConnection();
});

afterAll(async () => {
  releaseHung();
  await raw.close();
  await bus.close();
  await deleteStreams([bus.subjects.eventStream]);
});

describe('request and serve', () => {
  it('answers a request with the validated result', async () => {
    const on = subject();
    serveEcho(on);
    await expect(bus.request(on, EchoRpc, { text: 'hi' })).resolves.toEqual({
      text: 'hi',
      by: 'one',
    });
  });

  it('shares requests among the members of a queue group, answering each once', async () => {
    const on = subject();
    const servedBy = { one: 0, two: 0 };
    for (const by of ['one', 'two'] as const) {
      bus.serve(
        on,
        EchoRpc,
        async ({ text }) => {
          servedBy[by]++;
          return { text, by };
        },
        { queue: bus.subjects.queueGroup('router') },
      );
    }
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => bus.request(on, EchoRpc, { text: String(i) })),
    );
    expect(replies.map((reply) => reply.text)).toEqual(
      Array.from({ length: 40 }, (_, i) => String(i)),
    );
    expect(servedBy.one).toBeGreaterThan(0);
    expect(servedBy.two).toBeGreaterThan(0);
    expect(servedBy.one + servedBy.two).toBe(40);
  });

  it('runs handlers concurrently', async () => {
    const on = subject();
    let running = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.serve(
      on,
      EchoRpc,
      async ({ text }) => {
        running++;
        await gate;
        return { text, by: 'one' };
      },
      { queue: 'q' },
    );
    const replies = Promise.all(
      [1, 2, 3].map((i) => bus.request(on, EchoRpc, { text: String(i) })),
    );
    await waitFor(() => running === 3);
    release();
    expect(await replies).toHaveLength(3);
  });

  it('times out with E_TIMEOUT when the handler does not answer in time', async () => {
    const on = subject();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bus.serve(
      on,
      EchoRpc,
      async ({ text }) => {
        await gate;
        return { text, by: 'one' };
      },
      { queue: 'q' },
    );
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }, { timeoutMs: 100 }));
    release();
    expect(error.code).toBe('E_TIMEOUT');
    expect(error.message).toBe(`no reply from ${on} within 100 ms`);
  });

  it('reads the default timeout from the live setting at each request', async () => {
    let timeoutMs = 5000;
    const live = await connectNatsBus({
      namespace,
      servers: [natsUrl],
      requestTimeoutMs: () => timeoutMs,
    });
    try {
      const on = subject();
      bus.serve(on, EchoRpc, () => hung, { queue: 'q' });
      // The subscription reaches the server before the ping's answer: the other connection sees it.
      await bus.ping();
      timeoutMs = 50;
      const error = await rejectionOf(live.request(on, EchoRpc, { text: 'x' }));
      expect(error.message).toBe(`no reply from ${on} within 50 ms`);
    } finally {
      await live.close();
    }
  });

  it('fails with E_UNAVAILABLE when nobody serves the subject', async () => {
    const on = subject();
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }));
    expect(error.code).toBe('E_UNAVAILABLE');
    expect(error.message).toBe(`no service answers ${on}; is it running?`);
  });

  it('validates the request before sending it', async () => {
    const on = subject();
    const error = await rejectionOf(
      bus.request(on, EchoRpc, { text: 42 } as unknown as { text: string }),
    );
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toContain(`request to ${on} is invalid: text:`);
  });

  it('refuses a subject NATS cannot carry', async () => {
    const error = await rejectionOf(bus.request('has space', EchoRpc, { text: 'x' }));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toContain('request to has space is invalid: ');
  });

  it('refuses locally a request larger than the server carries', async () => {
    const error = await rejectionOf(
      bus.request(subject(), EchoRpc, { text: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(error.code).toBe('E_PAYLOAD_TOO_LARGE');
  });

  it('rejects with the reason of an aborted signal', async () => {
    const on = subject();
    bus.serve(on, EchoRpc, () => hung, { queue: 'q' });
    const controller = new AbortController();
    const pending = rejectionOf(
      bus.request(on, EchoRpc, { text: 'x' }, { signal: controller.signal, timeoutMs: 1000 }),
    );
    controller.abort();
    const aborted = await pending;
    expect(aborted.code).toBe('E_UNAVAILABLE');
    expect(aborted.message).toBe(`request to ${on} was aborted by the caller`);

    const timedOut = await rejectionOf(
      bus.request(on, EchoRpc, { text: 'x' }, { signal: AbortSignal.timeout(20), timeoutMs: 1000 }),
    );
    expect(timedOut.code).toBe('E_TIMEOUT');

    const reason = new SbError('E_CONFLICT', 'superseded');
    const already = await rejectionOf(
      bus.request(on, EchoRpc, { text: 'x' }, { signal: AbortSignal.abort(reason) }),
    );
    expect(already).toBe(reason);
  });

  it('still answers when a signal is given but never aborts', async () => {
    const on = subject();
    serveEcho(on);
    const reply = await bus.request(
      on,
      EchoRpc,
      { text: 'ok' },
      { signal: new AbortController().signal },
    );
    expect(reply.text).toBe('ok');
  });
});

describe('errors crossing the bus', () => {
  it('passes the code, message and details of an SbError thrown by the handler', async () => {
    const on = subject();
    bus.serve(
      on,
      EchoRpc,
      async () => {
        throw new SbError('E_CONFLICT', 'version 3 is not 2', { details: { current: 3 } });
      },
      { queue: 'q' },
    );
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }));
    expect(error.code).toBe('E_CONFLICT');
    expect(error.message).toBe('version 3 is not 2');
    expect(error.details).toEqual({ current: 3 });
  });

  it('turns any other thrown error into E_INTERNAL without leaking it, and logs it', async () => {
    const on = subject();
    const bug = new Error('secret database password in here');
    bus.serve(
      on,
      EchoRpc,
      async () => {
        throw bug;
      },
      { queue: 'q' },
    );
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }, { traceparent }));
    expect(error.code).toBe('E_INTERNAL');
    expect(error.message).not.toContain('secret');
    expect(log.lines).toContainEqual({
      level: 'error',
      obj: { err: bug, subject: on, traceId: '0af7651916cd43dd8448eb211c80319c' },
      msg: `the handler of ${on} failed`,
    });
  });

  it('replies E_INTERNAL and logs when the handler returns a malformed result', async () => {
    const on = subject();
    bus.serve(on, EchoRpc, async () => ({ text: 1 }) as unknown as { text: string; by: string }, {
      queue: 'q',
    });
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }));
    expect(error.code).toBe('E_INTERNAL');
    expect(
      log.lines.some(
        (line) => line.level === 'error' && line.msg.includes(`handler of ${on} returned`),
      ),
    ).toBe(true);
  });

  it('answers malformed payloads with E_VALIDATION and keeps serving', async () => {
    const on = subject();
    serveEcho(on);
    const notJson = await rawRequest(on, new TextEncoder().encode('{not json'));
    expect(notJson).toMatchObject({
      ok: false,
      error: { code: 'E_VALIDATION', message: `request to ${on} is not JSON` },
    });
    const wrongShape = await rawRequest(on, encodeJson({ text: 1, extra: true }));
    expect(wrongShape).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } });
    expect(wrongShape.ok === false && wrongShape.error.message).toContain(
      `request to ${on} is invalid: `,
    );
    const unknownEncoding = await rawRequest(on, encodeJson({ text: 'x' }), 'zstd');
    expect(unknownEncoding).toMatchObject({ ok: false, error: { code: 'E_VALIDATION' } });
    await expect(bus.request(on, EchoRpc, { text: 'still here' })).resolves.toEqual({
      text: 'still here',
      by: 'one',
    });
  });

  it('ignores a message that expects no reply and keeps serving', async () => {
    const on = subject();
    serveEcho(on);
    // The subscription reaches the server asynchronously: another connection's publish could
    // arrive first and be dropped.
    await bus.ping();
    raw.publish(on, encodeJson({ text: 'fire and forget' }));
    await waitFor(() =>
      log.lines.some((line) => line.msg === `ignored a message on ${on} that expects no reply`),
    );
    await expect(bus.request(on, EchoRpc, { text: 'next' })).resolves.toMatchObject({
      text: 'next',
    });
  });

  it('reports a reply that is not an envelope or fails the response schema as E_INTERNAL', async () => {
    const garbage = subject();
    raw.subscribe(garbage, { callback: (_err, msg) => void msg.respond('not json') });
    const wrongEnvelope = subject();
    raw.subscribe(wrongEnvelope, {
      callback: (_err, msg) => {
        msg.respond(encodeJson({ fine: true }));
      },
    });
    const wrongResult = subject();
    raw.subscribe(wrongResult, {
      callback: (_err, msg) => {
        msg.respond(encodeJson({ ok: true, result: { text: 1 } }));
      },
    });
    await raw.flush();
    for (const on of [garbage, wrongEnvelope, wrongResult]) {
      const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }));
      expect(error.code).toBe('E_INTERNAL');
      expect(error.message).toContain(`the reply of ${on} is malformed: `);
    }
  });

  it('answers E_PAYLOAD_TOO_LARGE when the result does not fit in a NATS message', async () => {
    const on = subject();
    bus.serve(on, EchoRpc, async () => ({ text: 'x'.repeat(2 * 1024 * 1024), by: 'one' }), {
      queue: 'q',
    });
    const error = await rejectionOf(bus.request(on, EchoRpc, { text: 'x' }));
    expect(error.code).toBe('E_PAYLOAD_TOO_LARGE');
    expect(error.message).toContain(`the reply of ${on} is `);
  });
});

describe('wire', () => {
  it('hands the caller traceparent, principal and its signature to the handler', async () => {
    const on = subject();
    const seen: unknown[] = [];
    bus.serve(
      on,
      EchoRpc,
      async ({ text }, context) => {
        seen.push(context);
        return { text, by: 'one' };
      },
      { queue: 'q' },
    );
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const principalSignature = 'pk1:1700000000000:c2ln';
    await bus.request(
      on,
      EchoRpc,
      { text: 'x' },
      { traceparent, principal: '{"keyId":"k1"}', principalSignature },
    );
    await bus.request(on, EchoRpc, { text: 'y' });
    expect(seen[0]).toEqual({
      subject: on,
      traceparent,
      principal: '{"keyId":"k1"}',
      principalSignature,
    });
    expect(seen[1]).toMatchObject({
      subject: on,
      principal: undefined,
      principalSignature: undefined,
    });
    expect((seen[1] as { traceparent: string }).traceparent).toMatch(
      /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/,
    );
  });

  it('decodes gzip and brotli request bodies', async () => {
    const on = subject();
    serveEcho(on);
    const body = encodeJson({ text: 'squeezed' });
    expect(await rawRequest(on, gzipSync(body), 'gzip')).toEqual({
      ok: true,
      result: { text: 'squeezed', by: 'one' },
    });
    expect(await rawRequest(on, brotliCompressSync(body), 'br')).toEqual({
      ok: true,
      result: { text: 'squeezed', by: 'one' },
    });
  });

  it('writes sb-encoding identity on requests and replies', async () => {
    const on = subject();
    serveEcho(on);
    const requestEncoding = new Promise<string>((resolve) => {
      const spy = raw.subscribe(on, {
        max: 1,
        callback: (_err, msg) => resolve(msg.headers?.get(Headers.encoding) ?? ''),
      });
      void spy;
    });
    await raw.flush();
    await bus.request(on, EchoRpc, { text: 'x' });
    expect(await requestEncoding).toBe('identity');
    const reply = await raw.request(on, encodeJson({ text: 'x' }), { timeout: 5000 });
    expect(reply.headers?.get(Headers.encoding)).toBe('identity');
  });
});

describe('metrics', () => {
  it('counts and times served requests by operation and outcome', async () => {
    const on = subject();
    serveEcho(on);
    await bus.request(on, EchoRpc, { text: 'x' });
    await rawRequest(on, encodeJson({ text: 1 }));
    const text = await metrics.metrics();
    expect(text).toMatch(/sb_bus_requests_total\{operation="echo",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/sb_bus_requests_total\{operation="echo",outcome="E_VALIDATION"\} [1-9]/);
    expect(text).toMatch(/sb_bus_request_duration_seconds_count\{operation="echo"\} [1-9]/);
  });

  it('shares the metrics when two buses register in one registry', async () => {
    const second = await connectNatsBus({
      namespace,
      servers: [natsUrl],
      requestTimeoutMs: () => 5000,
      metrics,
    });
    await second.close();
    expect(metrics.getSingleMetric('sb_bus_requests_total')).toBeDefined();
  });
});

describe('stopping a server', () => {
  it('lets in-flight requests finish, then stops answering', async () => {
    const on = subject();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const served = bus.serve(
      on,
      EchoRpc,
      async ({ text }) => {
        started = true;
        await gate;
        return { text, by: 'one' };
      },
      { queue: 'q' },
    );
    const inflight = bus.request(on, EchoRpc, { text: 'in flight' });
    await waitFor(() => started);
    const stopping = served.stop();
    expect(served.stop()).toBe(stopping);
    release();
    await stopping;
    await expect(inflight).resolves.toMatchObject({ text: 'in flight' });
    expect((await rejectionOf(bus.request(on, EchoRpc, { text: 'late' }))).code).toBe(
      'E_UNAVAILABLE',
    );
  });
});
