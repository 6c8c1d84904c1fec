import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { defineRpc, Headers } from '@switchboard/protocol';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BusCompression, createBodyEncoder, decodeJson, identityBody } from './codec.ts';
import { connectNatsBus } from './connect.ts';
import type { NatsBus } from './nats-bus.ts';
import { deleteStreams, natsUrl, rawConnection, testNamespace, waitFor } from './test-support.ts';

const EchoRpc = defineRpc(
  'echo',
  z.object({ text: z.string() }).strict(),
  z.object({ text: z.string() }),
);

const namespace = testNamespace();
const metrics = new Registry();
let compression: BusCompression = { algorithm: 'br', thresholdBytes: 1024 };
let bus: NatsBus;
let plainBus: NatsBus;
let raw: NatsConnection;

const large = 'switchboard '.repeat(2000);

beforeAll(async () => {
  const common = { namespace, servers: [natsUrl], requestTimeoutMs: () => 5000 };
  bus = await connectNatsBus({ ...common, metrics, compression: () => compression });
  plainBus = await connectNatsBus(common);
  raw = await rawConnection();
});
afterAll(async () => {
  const stream = bus.subjects.eventStream;
  await Promise.all([bus?.close(), plainBus?.close(), raw?.close()]);
  await deleteStreams([stream]);
});

async function counter(name: string): Promise<number> {
  const metric = await metrics.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? 0;
}

describe('body encoder', () => {
  it('compresses from the threshold on with gzip or br at a level, and only when it shrinks', () => {
    const seen: Array<[number, number]> = [];
    let settings: BusCompression = { algorithm: 'gzip', level: 1, thresholdBytes: 100 };
    const encode = createBodyEncoder(() => settings, {
      observe: (original, compressed) => seen.push([original, compressed]),
    });
    const big = encode({ text: large });
    expect(big.encoding).toBe('gzip');
    expect(decodeJson(big.data, big.encoding, 'x')).toEqual({ text: large });
    expect(encode({ text: 'small' }).encoding).toBe('identity');
    // Gzip's header makes a tiny body larger: it goes as it is.
    settings = { algorithm: 'gzip', thresholdBytes: 0 };
    expect(encode({ a: 1 }).encoding).toBe('identity');
    settings = { algorithm: 'br', thresholdBytes: 100 };
    expect(encode({ text: large }).encoding).toBe('br');
    settings = { algorithm: 'none', thresholdBytes: 0 };
    expect(encode({ text: large }).encoding).toBe('identity');
    expect(seen).toHaveLength(2);
    for (const [original, compressed] of seen) expect(compressed).toBeLessThan(original / 10);
    expect(identityBody({ a: 1 }).encoding).toBe('identity');
  });

  it('writes a body a service without compression reads as identity', () => {
    // The encoder of a bus created without `compression` (connectNatsBus default).
    const encoded = identityBody({ text: large });
    expect(encoded.encoding).toBe('identity');
    expect(decodeJson(encoded.data, undefined, 'x')).toEqual({ text: large });
  });
});

describe('compression on the NATS hop', () => {
  it('compresses large requests and replies with the sb-encoding header, read back by any bus, and counts the bytes', async () => {
    const on = bus.subjects.rpc('router', `echo_${randomUUID().slice(0, 8)}`);
    plainBus.serve(on, EchoRpc, async ({ text }) => ({ text }), { queue: 'q' });
    const other = bus.subjects.rpc('router', `echo_${randomUUID().slice(0, 8)}`);
    bus.serve(other, EchoRpc, async ({ text }) => ({ text }), { queue: 'q' });
    await plainBus.ping();
    await bus.ping();

    // A compressing client and a plain server, then a plain client and a compressing server.
    expect(await bus.request(on, EchoRpc, { text: large })).toEqual({ text: large });
    expect(await plainBus.request(other, EchoRpc, { text: large })).toEqual({ text: large });
    const original = await counter('sb_bus_compressed_original_bytes_total');
    const compressed = await counter('sb_bus_compressed_bytes_total');
    expect(original).toBeGreaterThan(2 * large.length);
    expect(compressed).toBeLessThan(original / 10);

    // On the wire: the compressing server's reply says br.
    const headers = natsHeaders();
    headers.set(Headers.encoding, 'identity');
    const reply = await raw.request(
      other,
      new TextEncoder().encode(JSON.stringify({ text: large })),
      { timeout: 5000, headers },
    );
    expect(reply.headers?.get(Headers.encoding)).toBe('br');
    expect(decodeJson(reply.data, 'br', 'reply')).toEqual({ ok: true, result: { text: large } });

    // A live change: compression off, small bodies again.
    compression = { algorithm: 'none', thresholdBytes: 1024 };
    const plainReply = await raw.request(
      other,
      new TextEncoder().encode(JSON.stringify({ text: large })),
      { timeout: 5000, headers },
    );
    expect(plainReply.headers?.get(Headers.encoding)).toBe('identity');
  });

  it('compresses large events, which a consumer reads whatever its own setting', async () => {
    compression = { algorithm: 'gzip', thresholdBytes: 1024 };
    const schema = z.object({ text: z.string() });
    const subject = bus.subjects.event('bench', 'large');
    const received: unknown[] = [];
    const consumer = await plainBus.consumeEvents({
      filterSubject: subject,
      schema,
      handler: async (event) => {
        received.push(event.payload);
      },
    });
    await bus.publishEvent(subject, schema, { text: large });
    await waitFor(() => received.length === 1);
    await consumer.stop();
    expect(received).toEqual([{ text: large }]);
    const stored = await (await jetstreamManager(raw)).streams.getMessage(
      bus.subjects.eventStream,
      { last_by_subj: subject },
    );
    expect(stored?.header?.get(Headers.encoding)).toBe('gzip');
    expect(stored?.data.length).toBeLessThan(large.length / 10);
  });
});
