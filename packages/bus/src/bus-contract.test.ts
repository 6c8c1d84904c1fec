import { randomUUID } from 'node:crypto';
import { defineRpc, SbError, subjects } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Bus, BusEvent, KvChange } from './bus.ts';
import { connectNatsBus } from './connect.ts';
import { MemoryBus } from './memory-bus.ts';
import { ScopedBus } from './scoped-bus.ts';
import { capturingLogger, deleteStreams, natsUrl, testNamespace, waitFor } from './test-support.ts';

// The contract every Bus keeps, run against the NATS bus and the in-process bus of the embedded
// mode alike: what a service relies on must not depend on which one it was given.

const EchoRpc = defineRpc(
  'echo',
  z.strictObject({ text: z.string() }),
  z.strictObject({
    text: z.string(),
    by: z.string(),
    principal: z.string().optional(),
    signature: z.string().optional(),
  }),
);
const EventSchema = z.strictObject({ id: z.string(), version: z.int() });
type Event = z.infer<typeof EventSchema>;

async function rejectionOf(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error instanceof SbError) return error;
  throw new Error(`expected an SbError, got ${String(error)}`);
}

interface Implementation {
  name: string;
  connect(namespace: string): Promise<Bus>;
  /** Removes what a namespace left on the server: its event stream and KV buckets. */
  cleanup(namespaces: string[], buckets: string[]): Promise<void>;
}

const log = capturingLogger();
const implementations: Implementation[] = [
  {
    name: 'NATS',
    connect: (namespace) =>
      connectNatsBus({
        namespace,
        servers: [natsUrl],
        requestTimeoutMs: () => 2000,
        eventRetryDelayMs: 20,
        log,
      }),
    cleanup: (namespaces, buckets) =>
      deleteStreams([
        ...namespaces.map((namespace) => subjects(namespace).eventStream),
        ...buckets.map((bucket) => `KV_${bucket}`),
      ]),
  },
  {
    name: 'in-process',
    connect: async (namespace) =>
      new MemoryBus({
        namespace,
        requestTimeoutMs: () => 2000,
        eventRetryDelayMs: 20,
        eventMaxAgeMs: 60_000,
        log,
      }),
    cleanup: async () => {},
  },
  {
    // What a service of the embedded mode is given: its own scope of the process's bus.
    name: 'scoped in-process',
    connect: async (namespace) =>
      new ScopedBus(
        new MemoryBus({
          namespace,
          requestTimeoutMs: () => 2000,
          eventRetryDelayMs: 20,
          eventMaxAgeMs: 60_000,
          log,
        }),
      ),
    cleanup: async () => {},
  },
];

describe.each(implementations)('the $name bus', (implementation) => {
  const namespace = testNamespace();
  const closedNamespace = testNamespace();
  const buckets: string[] = [];
  let bus: Bus;
  let count = 0;
  const fresh = () => `t${++count}_${randomUUID().slice(0, 6)}`;
  const queue = () => bus.subjects.queueGroup('router');

  beforeAll(async () => {
    bus = await implementation.connect(namespace);
  });
  afterAll(async () => {
    await bus.close();
    await implementation.cleanup([namespace, closedNamespace], buckets);
  });

  describe('requests', () => {
    it('answers through the handler, with the caller principal, its signature and a trace', async () => {
      const subject = bus.subjects.rpc('router', fresh());
      let traceparent = '';
      bus.serve(
        subject,
        EchoRpc,
        async ({ text }, context) => {
          traceparent = context.traceparent;
          return {
            text,
            by: 'one',
            principal: context.principal,
            signature: context.principalSignature,
          };
        },
        { queue: queue() },
      );
      await bus.ping();
      const reply = await bus.request(
        subject,
        EchoRpc,
        { text: 'hi' },
        { principal: 'p1', principalSignature: 's1' },
      );
      expect(reply).toEqual({ text: 'hi', by: 'one', principal: 'p1', signature: 's1' });
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    });

    it('validates both ends: a bad request is refused, a bad result is an internal error', async () => {
      const subject = bus.subjects.rpc('router', fresh());
      bus.serve(subject, EchoRpc, async () => ({ text: 1 }) as never, { queue: queue() });
      await bus.ping();
      const refused = await rejectionOf(
        bus.request(subject, EchoRpc, { text: 5 } as unknown as { text: string }),
      );
      expect(refused.code).toBe('E_VALIDATION');
      expect((await rejectionOf(bus.request(subject, EchoRpc, { text: 'x' }))).code).toBe(
        'E_INTERNAL',
      );
    });

    it("passes a handler's error on with its code and details", async () => {
      const subject = bus.subjects.rpc('router', fresh());
      bus.serve(
        subject,
        EchoRpc,
        async () => {
          throw new SbError('E_CONFLICT', 'version 3 is current', { details: { current: 3 } });
        },
        { queue: queue() },
      );
      await bus.ping();
      const error = await rejectionOf(bus.request(subject, EchoRpc, { text: 'x' }));
      expect(error).toMatchObject({ code: 'E_CONFLICT', message: 'version 3 is current' });
      expect(error.details).toEqual({ current: 3 });
    });

    it("shares a queue group's requests among its members", async () => {
      const subject = bus.subjects.rpc('router', fresh());
      for (const by of ['one', 'two']) {
        bus.serve(subject, EchoRpc, async ({ text }) => ({ text, by }), { queue: queue() });
      }
      await bus.ping();
      const seen = new Set<string>();
      for (let index = 0; index < 40 && seen.size < 2; index++) {
        seen.add((await bus.request(subject, EchoRpc, { text: 'x' })).by);
      }
      expect(seen).toEqual(new Set(['one', 'two']));
    });

    it('refuses a request or a reply larger than the bus carries', async () => {
      const subject = bus.subjects.rpc('router', fresh());
      bus.serve(subject, EchoRpc, async ({ text }) => ({ text: text.repeat(2_000), by: 'big' }), {
        queue: queue(),
      });
      await bus.ping();
      const huge = 'x'.repeat(2 * 1024 * 1024);
      expect((await rejectionOf(bus.request(subject, EchoRpc, { text: huge }))).code).toBe(
        'E_PAYLOAD_TOO_LARGE',
      );
      const tooLargeReply = await rejectionOf(
        bus.request(subject, EchoRpc, { text: 'x'.repeat(1000) }),
      );
      expect(tooLargeReply.code).toBe('E_PAYLOAD_TOO_LARGE');
    });

    it('says when nobody serves a subject, when the reply is late, and when the caller aborts', async () => {
      const nobody = await rejectionOf(
        bus.request(bus.subjects.rpc('router', fresh()), EchoRpc, { text: 'x' }),
      );
      expect(nobody.code).toBe('E_UNAVAILABLE');
      expect(nobody.message).toContain('is it running?');

      const subject = bus.subjects.rpc('router', fresh());
      const hang = new Promise<never>(() => {});
      const stop = bus.serve(subject, EchoRpc, () => hang, { queue: queue() });
      await bus.ping();
      const late = await rejectionOf(
        bus.request(subject, EchoRpc, { text: 'x' }, { timeoutMs: 50 }),
      );
      expect(late.code).toBe('E_TIMEOUT');
      const controller = new AbortController();
      const aborted = bus.request(subject, EchoRpc, { text: 'x' }, { signal: controller.signal });
      controller.abort(new SbError('E_UNAVAILABLE', 'the caller went away'));
      expect((await rejectionOf(aborted)).message).toBe('the caller went away');
      void stop.stop();
    });
  });

  describe('events', () => {
    const eventSubject = (domain: string, name: string) => bus.subjects.event(domain, name);

    it('delivers the events published after a consumer started, in order, by filter', async () => {
      const domain = fresh();
      const got: Array<BusEvent<Event>> = [];
      await bus.publishEvent(eventSubject(domain, 'before'), EventSchema, { id: 'a', version: 0 });
      const consumer = await bus.consumeEvents({
        filterSubject: `${bus.subjects.event(domain, '*')}`,
        schema: EventSchema,
        handler: async (event) => {
          got.push(event);
        },
      });
      for (let version = 1; version <= 3; version++) {
        await bus.publishEvent(eventSubject(domain, 'changed'), EventSchema, { id: 'a', version });
      }
      await bus.publishEvent(eventSubject(`${domain}x`, 'changed'), EventSchema, {
        id: 'other',
        version: 9,
      });
      await waitFor(() => got.length >= 3);
      expect(got.map((event) => event.payload.version)).toEqual([1, 2, 3]);
      const sequences = got.map((event) => event.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(got[0]?.subject).toBe(eventSubject(domain, 'changed'));
      await consumer.stop();
    });

    it('replays what the stream kept when asked for all, and refuses subjects outside it', async () => {
      const domain = fresh();
      await bus.publishEvent(eventSubject(domain, 'kept'), EventSchema, { id: 'k', version: 1 });
      const got: Event[] = [];
      const consumer = await bus.consumeEvents({
        filterSubject: eventSubject(domain, 'kept'),
        schema: EventSchema,
        deliverFrom: 'all',
        handler: async (event) => {
          got.push(event.payload);
        },
      });
      await waitFor(() => got.length === 1);
      expect(got).toEqual([{ id: 'k', version: 1 }]);
      await consumer.stop();
      const outside = await rejectionOf(
        bus.publishEvent('elsewhere.changed', EventSchema, { id: 'x', version: 1 }),
      );
      expect(outside.code).toBe('E_VALIDATION');
    });

    it('redelivers an event whose handler failed, and drops a malformed one without blocking', async () => {
      const domain = fresh();
      const LooseSchema = z.object({ id: z.string(), version: z.unknown() });
      let failures = 0;
      const got: Event[] = [];
      const consumer = await bus.consumeEvents({
        filterSubject: eventSubject(domain, 'changed'),
        schema: EventSchema,
        handler: async (event) => {
          if (event.payload.id === 'flaky' && failures < 2) {
            failures++;
            throw new SbError('E_UNAVAILABLE', 'a dependency is down');
          }
          got.push(event.payload);
        },
      });
      await bus.publishEvent(eventSubject(domain, 'changed'), LooseSchema, {
        id: 'bad',
        version: 'one',
      });
      await bus.publishEvent(eventSubject(domain, 'changed'), EventSchema, {
        id: 'flaky',
        version: 1,
      });
      await bus.publishEvent(eventSubject(domain, 'changed'), EventSchema, {
        id: 'ok',
        version: 2,
      });
      await waitFor(() => got.length === 2);
      expect(failures).toBe(2);
      expect(new Set(got.map((event) => event.id))).toEqual(new Set(['flaky', 'ok']));
      await consumer.stop();
    });

    it('resumes a durable consumer where it stopped', async () => {
      const domain = fresh();
      const durableName = `durable_${domain}`;
      const got: number[] = [];
      const start = () =>
        bus.consumeEvents({
          filterSubject: eventSubject(domain, 'changed'),
          schema: EventSchema,
          durableName,
          handler: async (event) => {
            got.push(event.payload.version);
          },
        });
      const first = await start();
      await bus.publishEvent(eventSubject(domain, 'changed'), EventSchema, { id: 'd', version: 1 });
      await waitFor(() => got.length === 1);
      await first.stop();
      await bus.publishEvent(eventSubject(domain, 'changed'), EventSchema, { id: 'd', version: 2 });
      const second = await start();
      await waitFor(() => got.length === 2);
      expect(got).toEqual([1, 2]);
      await second.stop();
    });
  });

  describe('KV buckets', () => {
    it('keeps JSON values by key, lists them by filter and tells watchers of later changes', async () => {
      const bucket = `${namespace}_kv_${fresh()}`;
      buckets.push(bucket);
      const kv = await bus.kv(bucket);
      await kv.put('router.log.level', 'debug');
      const changes: KvChange[] = [];
      const watch = await kv.watch('router.>', (change) => changes.push(change));
      const revision = await kv.put('router.delivery.maxAttempts', 5);
      await kv.put('state.log.level', 'warn');
      await kv.delete('router.log.level');
      await waitFor(() => changes.length === 2);
      expect(changes).toEqual([
        { key: 'router.delivery.maxAttempts', value: 5, revision },
        { key: 'router.log.level', value: undefined, revision: expect.any(Number) },
      ]);
      expect(await kv.get('router.delivery.maxAttempts')).toEqual({ value: 5, revision });
      expect(await kv.get('router.log.level')).toBeUndefined();
      expect(await kv.entries('*.log.level')).toEqual(new Map([['state.log.level', 'warn']]));
      expect((await rejectionOf(kv.put('bad key', 1))).code).toBe('E_VALIDATION');
      await watch.stop();
    });
  });

  it('refuses work once closed', async () => {
    const closing = await implementation.connect(closedNamespace);
    await closing.close();
    expect((await rejectionOf(closing.ping())).code).toBe('E_UNAVAILABLE');
    expect(() =>
      closing.serve(
        bus.subjects.rpc('router', fresh()),
        EchoRpc,
        async () => ({ text: '', by: '' }),
        {
          queue: queue(),
        },
      ),
    ).toThrow(/closed/);
  });
});
