import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, SbError } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BusEvent } from './bus.ts';
import { encodeJson } from './codec.ts';
import { connectNatsBus } from './connect.ts';
import type { NatsBus } from './nats-bus.ts';
import {
  capturingLogger,
  deleteStreams,
  natsUrl,
  rawConnection,
  testNamespace,
  waitFor,
} from './test-support.ts';

const AgentEventSchema = z.object({ agentId: z.string(), version: z.number().int() }).strict();
type AgentEvent = z.infer<typeof AgentEventSchema>;

const namespace = testNamespace();
const log = capturingLogger();
let bus: NatsBus;
let other: NatsBus;
let raw: NatsConnection;
let domainCount = 0;

/** A fresh event domain per test, so each test consumes only its own events. */
function domain(): string {
  domainCount++;
  return `d${domainCount}`;
}

async function rejectionOf(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error instanceof SbError) return error;
  throw new Error(`expected an SbError, got ${String(error)}`);
}

async function consumerNames(): Promise<string[]> {
  const jsm = await jetstreamManager(raw);
  const names: string[] = [];
  for await (const info of jsm.consumers.list(bus.subjects.eventStream)) names.push(info.name);
  return names;
}

beforeAll(async () => {
  const options = {
    namespace,
    servers: [natsUrl],
    requestTimeoutMs: () => 5000,
    eventRetryDelayMs: 20,
    log,
  };
  // Two processes connecting at once must both get the stream.
  [bus, other] = await Promise.all([connectNatsBus(options), connectNatsBus(options)]);
  raw = await rawConnection();
});

afterAll(async () => {
  await raw.close();
  await Promise.all([bus.close(), other.close()]);
  await deleteStreams([bus.subjects.eventStream]);
});

describe('events', () => {
  it('delivers published events with sequence and traceparent', async () => {
    const d = domain();
    const seen: BusEvent<AgentEvent>[] = [];
    const consumer = await bus.consumeEvents({
      filterSubject: bus.subjects.event(d, '*'),
      schema: AgentEventSchema,
      handler: async (event) => {
        seen.push(event);
      },
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await bus.publishEvent(
      bus.subjects.event(d, 'connected'),
      AgentEventSchema,
      {
        agentId: 'a1',
        version: 1,
      },
      { traceparent },
    );
    await bus.publishEvent(bus.subjects.event(d, 'disconnected'), AgentEventSchema, {
      agentId: 'a1',
      version: 2,
    });
    await waitFor(() => seen.length === 2);
    expect(seen[0]).toEqual({
      subject: bus.subjects.event(d, 'connected'),
      payload: { agentId: 'a1', version: 1 },
      sequence: expect.any(Number),
      traceparent,
    });
    expect(seen[1]?.sequence).toBeGreaterThan(seen[0]?.sequence ?? Number.POSITIVE_INFINITY);
    expect(seen[1]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await consumer.stop();
  });

  it('hands each event to one member of a shared durable consumer', async () => {
    const d = domain();
    const handled: string[] = [];
    const byMember = { one: 0, two: 0 };
    const consumers = await Promise.all(
      (['one', 'two'] as const).map((member, i) =>
        (i === 0 ? bus : other).consumeEvents({
          filterSubject: bus.subjects.event(d, '>'),
          schema: AgentEventSchema,
          durableName: `${d}_shared`,
          handler: async (event) => {
            byMember[member]++;
            handled.push(event.payload.agentId);
          },
        }),
      ),
    );
    const ids = Array.from({ length: 30 }, (_, i) => `a${i}`);
    for (const agentId of ids) {
      await bus.publishEvent(bus.subjects.event(d, 'changed'), AgentEventSchema, {
        agentId,
        version: 1,
      });
    }
    await waitFor(() => handled.length >= ids.length);
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    expect([...handled].sort()).toEqual([...ids].sort());
    expect(byMember.one + byMember.two).toBe(ids.length);
  });

  it('redelivers an event whose handler threw', async () => {
    const d = domain();
    let attempts = 0;
    let done = false;
    const consumer = await bus.consumeEvents({
      filterSubject: bus.subjects.event(d, '*'),
      schema: AgentEventSchema,
      handler: async () => {
        attempts++;
        if (attempts === 1) throw new Error('transient bug');
        if (attempts === 2) throw new SbError('E_UNAVAILABLE', 'database down');
        done = true;
      },
    });
    await bus.publishEvent(bus.subjects.event(d, 'x'), AgentEventSchema, {
      agentId: 'a',
      version: 1,
    });
    await waitFor(() => done);
    await consumer.stop();
    expect(attempts).toBe(3);
    expect(
      log.lines
        .filter((line) => line.msg.startsWith(`the handler of event ${bus.subjects.event(d, 'x')}`))
        .map((line) => line.level),
    ).toEqual(['error', 'warn']);
  });

  it('drops malformed events once, logging them, and goes on', async () => {
    const d = domain();
    const seen: number[] = [];
    const consumer = await bus.consumeEvents({
      filterSubject: bus.subjects.event(d, '*'),
      schema: AgentEventSchema,
      handler: async (event) => {
        seen.push(event.payload.version);
      },
    });
    const on = bus.subjects.event(d, 'x');
    const js = (await import('@nats-io/jetstream')).jetstream(raw);
    await js.publish(on, 'not json');
    await js.publish(on, encodeJson({ agentId: 'a', version: 'one' }));
    const zstd = natsHeaders();
    zstd.set(Headers.encoding, 'zstd');
    await js.publish(on, encodeJson({ agentId: 'a', version: 1 }), { headers: zstd });
    await bus.publishEvent(on, AgentEventSchema, { agentId: 'a', version: 2 });
    await waitFor(() => seen.length === 1);
    await consumer.stop();
    expect(seen).toEqual([2]);
    expect(
      log.lines.filter((line) => line.msg.startsWith(`dropped a malformed event ${on}`)),
    ).toHaveLength(3);
  });

  it('replays retained events for a consumer that starts from all', async () => {
    const d = domain();
    const on = bus.subjects.event(d, 'x');
    await bus.publishEvent(on, AgentEventSchema, { agentId: 'early', version: 1 });
    const fromNew: string[] = [];
    const fromAll: string[] = [];
    const consumers = await Promise.all([
      bus.consumeEvents({
        filterSubject: on,
        schema: AgentEventSchema,
        deliverFrom: 'new',
        handler: async (event) => {
          fromNew.push(event.payload.agentId);
        },
      }),
      bus.consumeEvents({
        filterSubject: on,
        schema: AgentEventSchema,
        deliverFrom: 'all',
        handler: async (event) => {
          fromAll.push(event.payload.agentId);
        },
      }),
    ]);
    await bus.publishEvent(on, AgentEventSchema, { agentId: 'late', version: 1 });
    await waitFor(() => fromNew.length === 1 && fromAll.length === 2);
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    expect(fromNew).toEqual(['late']);
    expect(fromAll).toEqual(['early', 'late']);
  });

  it('deletes an ephemeral consumer on stop and keeps a durable one', async () => {
    const d = domain();
    const before = await consumerNames();
    const handler = async () => {};
    const ephemeral = await bus.consumeEvents({
      filterSubject: bus.subjects.event(d, '*'),
      schema: AgentEventSchema,
      handler,
    });
    const durable = await bus.consumeEvents({
      filterSubject: bus.subjects.event(d, '*'),
      schema: AgentEventSchema,
      durableName: `${d}_kept`,
      handler,
    });
    expect((await consumerNames()).length).toBe(before.length + 2);
    const stopping = ephemeral.stop();
    expect(ephemeral.stop()).toBe(stopping);
    await stopping;
    await durable.stop();
    expect((await consumerNames()).filter((name) => !before.includes(name))).toEqual([`${d}_kept`]);
  });

  it('validates events and subjects before publishing', async () => {
    const d = domain();
    const invalid = await rejectionOf(
      bus.publishEvent(bus.subjects.event(d, 'x'), AgentEventSchema, {
        agentId: 'a',
      } as AgentEvent),
    );
    expect(invalid.code).toBe('E_VALIDATION');
    expect(invalid.message).toContain(`event ${bus.subjects.event(d, 'x')} is invalid: version:`);
    const outside = await rejectionOf(
      bus.publishEvent(`${namespace}.v1.router.x`, AgentEventSchema, { agentId: 'a', version: 1 }),
    );
    expect(outside.message).toBe(
      `event subject ${namespace}.v1.router.x is not under ${bus.subjects.allEvents}`,
    );
    const filter = await rejectionOf(
      bus.consumeEvents({
        filterSubject: 'elsewhere.>',
        schema: AgentEventSchema,
        handler: async () => {},
      }),
    );
    expect(filter.code).toBe('E_VALIDATION');
  });

  it('reports E_UNAVAILABLE when JetStream cannot take the event or the consumer', async () => {
    const lonely = await connectNatsBus({
      namespace: testNamespace(),
      servers: [natsUrl],
      requestTimeoutMs: () => 5000,
    });
    await deleteStreams([lonely.subjects.eventStream]);
    try {
      const publish = await rejectionOf(
        lonely.publishEvent(lonely.subjects.event('d', 'x'), AgentEventSchema, {
          agentId: 'a',
          version: 1,
        }),
      );
      expect(publish.code).toBe('E_UNAVAILABLE');
      expect(publish.message).toContain(
        `could not publish event ${lonely.subjects.event('d', 'x')}: `,
      );
      const consume = await rejectionOf(
        lonely.consumeEvents({
          filterSubject: lonely.subjects.event('d', 'x'),
          schema: AgentEventSchema,
          handler: async () => {},
        }),
      );
      expect(consume.code).toBe('E_UNAVAILABLE');
    } finally {
      await lonely.close();
    }
  });
});
