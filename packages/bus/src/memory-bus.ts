import {
  type RpcDefinition,
  SbError,
  type Subjects,
  subjectMatches,
  subjects,
  toErrorBody,
  validationError,
} from '@switchboard/protocol';
import type { z } from 'zod';
import type {
  Bus,
  BusSubscription,
  CallContext,
  ConsumeOptions,
  KvBucket,
  KvChange,
  RequestContext,
  RequestOptions,
} from './bus.ts';
import { encodeJson } from './codec.ts';
import type { ReplyEnvelope } from './envelope.ts';
import { assertEventSubject, handleEvent, type WireEvent } from './events.ts';
import { assertFilter, assertKey } from './kv-bucket.ts';
import { type BusLogger, silentLogger } from './logger.ts';
import { abortError, parseReply } from './rpc-client.ts';
import { answer, type WireRequest } from './rpc-server.ts';
import { assertFits, outgoingHeaders, replyHeaders } from './wire.ts';

// The bus in one process, for the embedded mode: the same contract as the NATS bus (DESIGN.md,
// Contracts) without a server. Requests and events still travel as encoded bytes with headers
// and go through the same validation, tracing and error mapping (`answer`, `parseReply`,
// `handleEvent`), so a service cannot tell the two apart: queue groups share requests, a
// request nobody serves is `E_UNAVAILABLE`, an event stream keeps events for `eventMaxAgeMs`,
// durable consumers resume where they stopped, and KV buckets notify their watchers.

/** Settings of a {@link MemoryBus}. */
export interface MemoryBusOptions {
  namespace: string;
  /** The default request timeout (live). */
  requestTimeoutMs: () => number;
  /** Delay before an event whose handler threw is delivered again. */
  eventRetryDelayMs: number;
  /** How long the event stream keeps an event (the JetStream stream's max age). */
  eventMaxAgeMs: number;
  /** The largest message, as NATS's `max_payload` (default 1 MiB, the server's default). */
  maxPayloadBytes?: number;
  log?: BusLogger;
}

const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

interface Server {
  subject: string;
  queue: string;
  handle(request: WireRequest): Promise<ReplyEnvelope>;
}

interface StoredEvent extends WireEvent {
  storedAt: number;
}

/** Where a consumer is in the stream: shared by every subscription of one durable name. */
interface Cursor {
  /** The sequence of the last event taken (handled, or skipped as not matching). */
  position: number;
  filter: string;
  /** Events whose handler threw, due again after the retry delay. */
  retries: StoredEvent[];
}

/** A promise with its resolve function (Node 20 has no `Promise.withResolvers`). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function closedError(): SbError {
  return new SbError('E_UNAVAILABLE', 'the bus is closed: this process is shutting down');
}

/** The in-process {@link Bus} of the embedded mode. */
export class MemoryBus implements Bus {
  readonly subjects: Subjects;
  private readonly log: BusLogger;
  private readonly servers = new Set<Server>();
  /** Round-robin position per queue group, so a group's members share its requests. */
  private readonly turns = new Map<string, number>();
  private readonly events: StoredEvent[] = [];
  private sequence = 0;
  /** Wakes every consumer loop when an event arrives or a retry is due. */
  private arrived = signal();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly durables = new Map<string, Cursor>();
  private readonly buckets = new Map<string, MemoryKvBucket>();
  private readonly subscriptions = new Set<BusSubscription>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: MemoryBusOptions) {
    this.subjects = subjects(options.namespace);
    this.log = options.log ?? silentLogger;
  }

  /** True until `close()`: nothing here can disconnect. */
  isConnected(): boolean {
    return this.closing === undefined;
  }

  async request<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    payload: z.input<Req>,
    options: RequestOptions = {},
  ): Promise<z.infer<Res>> {
    if (this.closing !== undefined) throw closedError();
    const request = rpc.request.safeParse(payload);
    if (!request.success) throw validationError(`request to ${subject}`, request.error);
    if (options.signal?.aborted === true) throw abortError(subject, options.signal);
    const server = this.pickServer(subject);
    if (server === undefined) {
      throw new SbError('E_UNAVAILABLE', `no service answers ${subject}; is it running?`);
    }
    const data = encodeJson(payload);
    assertFits(`request to ${subject}`, data, this.maxPayloadBytes);
    const { headers } = outgoingHeaders(options);
    const reply = server.handle({ subject, data, headers });
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs();
    const envelope = await this.within(subject, timeoutMs, options.signal, reply);
    return parseReply(subject, rpc, {
      data: this.replyBytes(subject, envelope),
      headers: replyHeaders(),
    });
  }

  serve<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, context: RequestContext) => Promise<z.input<Res>>,
    options: { queue: string },
  ): BusSubscription {
    this.assertOpen();
    const inflight = new Set<Promise<ReplyEnvelope>>();
    const server: Server = {
      subject,
      queue: options.queue,
      handle: (request) => {
        const task = answer({ log: this.log }, subject, rpc, handler, request);
        inflight.add(task);
        void task.finally(() => inflight.delete(task));
        return task;
      },
    };
    this.servers.add(server);
    return this.track(async () => {
      this.servers.delete(server);
      await Promise.allSettled(inflight);
    });
  }

  async publishEvent<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    context: CallContext = {},
  ): Promise<void> {
    if (this.closing !== undefined) throw closedError();
    assertEventSubject(this.subjects, subject, 'event subject');
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw validationError(`event ${subject}`, parsed.error);
    const data = encodeJson(payload);
    assertFits(`event ${subject}`, data, this.maxPayloadBytes);
    const { headers } = outgoingHeaders(context);
    this.sequence++;
    this.events.push({
      subject,
      data,
      headers,
      seq: this.sequence,
      storedAt: Date.now(),
    });
    this.dropExpired();
    this.wakeConsumers();
  }

  async consumeEvents<S extends z.ZodType>(options: ConsumeOptions<S>): Promise<BusSubscription> {
    this.assertOpen();
    assertEventSubject(this.subjects, options.filterSubject, 'event filter');
    this.dropExpired();
    const start = options.deliverFrom === 'all' ? 0 : this.sequence;
    let cursor: Cursor = { position: start, filter: options.filterSubject, retries: [] };
    if (options.durableName !== undefined) {
      // A durable resumes where it stopped; its replicas share one position.
      cursor = this.durables.get(options.durableName) ?? cursor;
      this.durables.set(options.durableName, cursor);
    }
    const stop = signal();
    let stopping = false;
    const loop = (async () => {
      while (!stopping) {
        const next = cursor.retries.shift() ?? this.nextEvent(cursor);
        if (next === undefined) {
          await Promise.race([this.arrived.promise, stop.promise]);
          continue;
        }
        const outcome = await handleEvent(this.log, options, next);
        // As JetStream's nak with a delay: the others go on, this one comes back later.
        if (outcome === 'nak') this.retryLater(cursor, next);
      }
    })();
    return this.track(async () => {
      stopping = true;
      stop.resolve();
      await loop;
    });
  }

  /** Takes the next event of the stream that matches the cursor's filter, if any. */
  private nextEvent(cursor: Cursor): StoredEvent | undefined {
    let next: StoredEvent | undefined;
    for (let index = this.firstAfter(cursor.position); index < this.events.length; index++) {
      const event = this.events[index] as StoredEvent;
      if (subjectMatches(cursor.filter, event.subject)) {
        next = event;
        break;
      }
    }
    // Taken before it is handled, so another subscription of the durable takes the one after.
    cursor.position = next?.seq ?? this.sequence;
    return next;
  }

  /** The index of the first kept event after sequence `position` (events are in order). */
  private firstAfter(position: number): number {
    let low = 0;
    let high = this.events.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.events[middle] as StoredEvent).seq <= position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private retryLater(cursor: Cursor, event: StoredEvent): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      cursor.retries.push(event);
      this.wakeConsumers();
    }, this.options.eventRetryDelayMs);
    this.retryTimers.add(timer);
  }

  private wakeConsumers(): void {
    const { resolve } = this.arrived;
    this.arrived = signal();
    resolve();
  }

  async kv(bucket: string): Promise<KvBucket> {
    if (this.closing !== undefined) throw closedError();
    let opened = this.buckets.get(bucket);
    if (opened === undefined) {
      opened = new MemoryKvBucket(bucket, this.log, (stop) => this.track(stop));
      this.buckets.set(bucket, opened);
    }
    return opened;
  }

  async ping(): Promise<number> {
    this.assertOpen();
    return 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.retryTimers) clearTimeout(timer);
      await Promise.allSettled([...this.subscriptions].map((sub) => sub.stop()));
    })();
    return this.closing;
  }

  private get maxPayloadBytes(): number {
    return this.options.maxPayloadBytes ?? NATS_DEFAULT_MAX_PAYLOAD;
  }

  /** A reply's bytes; one too large for the bus becomes the error NATS would carry instead. */
  private replyBytes(subject: string, envelope: ReplyEnvelope): Uint8Array {
    const data = encodeJson(envelope);
    try {
      assertFits(`the reply of ${subject}`, data, this.maxPayloadBytes);
      return data;
    } catch (error) {
      this.log.warn({ err: error, subject }, `the reply of ${subject} is too large for the bus`);
      return encodeJson({ ok: false, error: toErrorBody(error) } satisfies ReplyEnvelope);
    }
  }

  /** One server per queue group among those serving `subject`, the first group's answering. */
  private pickServer(subject: string): Server | undefined {
    const groups = new Map<string, Server[]>();
    for (const server of this.servers) {
      if (!subjectMatches(server.subject, subject)) continue;
      const members = groups.get(server.queue) ?? [];
      members.push(server);
      groups.set(server.queue, members);
    }
    const [first] = groups;
    if (first === undefined) return undefined;
    const [queue, members] = first;
    const turn = this.turns.get(queue) ?? 0;
    this.turns.set(queue, turn + 1);
    return members[turn % members.length];
  }

  /** The reply, or `E_TIMEOUT` after `timeoutMs`, or the abort error when `signal` fires. */
  private within(
    subject: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    reply: Promise<ReplyEnvelope>,
  ): Promise<ReplyEnvelope> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SbError('E_TIMEOUT', `no reply from ${subject} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => reject(abortError(subject, signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
      reply.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }

  /** The stream keeps events for `eventMaxAgeMs`, as JetStream's age limit does. */
  private dropExpired(): void {
    const oldest = Date.now() - this.options.eventMaxAgeMs;
    while ((this.events[0]?.storedAt ?? Number.POSITIVE_INFINITY) < oldest) this.events.shift();
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }

  /** Registers a subscription so that `close()` stops it; stopping it unregisters it. */
  private track(stop: () => Promise<void>): BusSubscription {
    let stopped: Promise<void> | undefined;
    const subscription: BusSubscription = {
      stop: () => {
        stopped ??= (async () => {
          this.subscriptions.delete(subscription);
          await stop();
        })();
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }
}

/** A JSON KV bucket in memory; values are copied in and out, as they would be over the wire. */
class MemoryKvBucket implements KvBucket {
  private readonly entriesByKey = new Map<string, { json: string; revision: number }>();
  private readonly watchers = new Set<{
    filter: string;
    onChange: (change: KvChange) => void;
  }>();
  private revision = 0;

  constructor(
    private readonly bucket: string,
    private readonly log: BusLogger,
    private readonly track: (stop: () => Promise<void>) => BusSubscription,
  ) {}

  async get(key: string): Promise<{ value: unknown; revision: number } | undefined> {
    assertKey(key);
    const entry = this.entriesByKey.get(key);
    return entry === undefined
      ? undefined
      : { value: JSON.parse(entry.json), revision: entry.revision };
  }

  async put(key: string, value: unknown): Promise<number> {
    assertKey(key);
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) {
      throw new SbError('E_VALIDATION', `the value for KV key '${key}' cannot be written as JSON`);
    }
    this.revision++;
    this.entriesByKey.set(key, { json, revision: this.revision });
    this.notify({ key, value: JSON.parse(json), revision: this.revision });
    return this.revision;
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    this.revision++;
    this.entriesByKey.delete(key);
    this.notify({ key, value: undefined, revision: this.revision });
  }

  async entries(filter: string): Promise<Map<string, unknown>> {
    assertFilter(filter);
    const found = new Map<string, unknown>();
    for (const [key, entry] of this.entriesByKey) {
      if (subjectMatches(filter, key)) found.set(key, JSON.parse(entry.json));
    }
    return found;
  }

  async watch(filter: string, onChange: (change: KvChange) => void): Promise<BusSubscription> {
    assertFilter(filter);
    const watcher = { filter, onChange };
    this.watchers.add(watcher);
    return this.track(async () => {
      this.watchers.delete(watcher);
    });
  }

  /** Tells the watchers of `change.key`, after the write returned (as a NATS watch would). */
  private notify(change: KvChange): void {
    for (const watcher of this.watchers) {
      if (!subjectMatches(watcher.filter, change.key)) continue;
      queueMicrotask(() => {
        try {
          watcher.onChange(change);
        } catch (err) {
          this.log.error(
            { err, bucket: this.bucket, key: change.key },
            `a watcher of KV bucket ${this.bucket} failed on ${change.key}`,
          );
        }
      });
    }
  }
}
