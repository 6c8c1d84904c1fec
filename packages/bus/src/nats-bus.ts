import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type RpcDefinition, SbError, type Subjects } from '@switchboard/protocol';
import type { z } from 'zod';
import type {
  Bus,
  BusSubscription,
  CallContext,
  ConsumeOptions,
  KvBucket,
  RequestContext,
  RequestOptions,
} from './bus.ts';
import type { BodyEncoder } from './codec.ts';
import { consumeEvents, type EventDeps, publishEvent } from './events.ts';
import { openKvBucket } from './kv-bucket.ts';
import type { BusLogger } from './logger.ts';
import type { RpcMetrics } from './metrics.ts';
import { createOutbox, type Outbox } from './outbox.ts';
import { createRequestMux } from './request-mux.ts';
import { type RpcClientDeps, sendRequest } from './rpc-client.ts';
import { serveRpc } from './rpc-server.ts';
import { watchStatus } from './status.ts';

function closedError(): SbError {
  return new SbError('E_UNAVAILABLE', 'the bus is closed: this process is shutting down');
}

/** Everything a {@link NatsBus} is built from; {@link connectNatsBus} assembles it. */
export interface NatsBusParts {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: Subjects;
  log: BusLogger;
  metrics: RpcMetrics;
  requestTimeoutMs: () => number;
  eventRetryDelayMs: number;
  /** How request and reply bodies are written (compressed above a threshold, or not). */
  encodeBody: BodyEncoder;
}

/** The {@link Bus} over NATS, JetStream and its KV. */
export class NatsBus implements Bus {
  readonly subjects: Subjects;
  private readonly subscriptions = new Set<BusSubscription>();
  private readonly buckets = new Map<string, Promise<KvBucket>>();
  private readonly events: EventDeps;
  /** Requests and replies leave through it, a turn of the event loop at a time. */
  private readonly outbox: Outbox;
  private readonly client: RpcClientDeps;
  private readonly status: { isConnected(): boolean; done: Promise<void> };
  private closing: Promise<void> | undefined;

  constructor(private readonly parts: NatsBusParts) {
    this.subjects = parts.names;
    this.events = {
      js: parts.js,
      jsm: parts.jsm,
      names: parts.names,
      log: parts.log,
      retryDelayMs: parts.eventRetryDelayMs,
      encodeBody: parts.encodeBody,
    };
    this.status = watchStatus(parts.nc, parts.log);
    this.outbox = createOutbox(parts.nc);
    this.client = { ...parts, mux: createRequestMux(parts.nc, this.outbox, parts.log) };
  }

  /** True while the connection is up (false while reconnecting and after `close()`). */
  isConnected(): boolean {
    return this.closing === undefined && this.status.isConnected();
  }

  request<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    payload: z.input<Req>,
    options?: RequestOptions,
  ): Promise<z.infer<Res>> {
    return sendRequest(this.client, subject, rpc, payload, options);
  }

  serve<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, context: RequestContext) => Promise<z.input<Res>>,
    options: { queue: string },
  ): BusSubscription {
    this.assertOpen();
    return this.track(
      serveRpc({ ...this.parts, outbox: this.outbox }, subject, rpc, handler, options.queue),
    );
  }

  publishEvent<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    context?: CallContext,
  ): Promise<void> {
    return publishEvent(this.events, subject, schema, payload, context);
  }

  async consumeEvents<S extends z.ZodType>(options: ConsumeOptions<S>): Promise<BusSubscription> {
    this.assertOpen();
    return this.track(await consumeEvents(this.events, options));
  }

  kv(bucket: string): Promise<KvBucket> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    let opened = this.buckets.get(bucket);
    if (opened === undefined) {
      opened = openKvBucket(this.parts.js, bucket, this.parts.log, (sub) => this.track(sub));
      // A failed open is not cached: the next call tries again.
      void opened.catch(() => this.buckets.delete(bucket));
      this.buckets.set(bucket, opened);
    }
    return opened;
  }

  async ping(): Promise<number> {
    this.assertOpen();
    if (!this.status.isConnected()) {
      throw new SbError('E_UNAVAILABLE', 'the NATS connection is down; the client is reconnecting');
    }
    try {
      return await this.parts.nc.rtt();
    } catch (error) {
      throw new SbError(
        'E_UNAVAILABLE',
        `NATS did not answer a ping: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((sub) => sub.stop()));
      if (!this.parts.nc.isClosed()) {
        await this.parts.nc.drain().catch((err: unknown) => {
          this.parts.log.warn({ err }, 'draining the NATS connection failed');
        });
      }
      await this.status.done;
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }

  /** Registers a subscription so that `close()` stops it; stopping it unregisters it. */
  private track(subscription: BusSubscription): BusSubscription {
    const tracked: BusSubscription = {
      stop: () => {
        this.subscriptions.delete(tracked);
        return subscription.stop();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }
}
