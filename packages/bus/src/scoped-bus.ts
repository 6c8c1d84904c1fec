import type { RpcDefinition, Subjects } from '@switchboard/protocol';
import { SbError } from '@switchboard/protocol';
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

// Several users of one bus in one process (the services of the embedded mode, a test and the
// services it starts) each need to stop what they subscribed without closing the bus the others
// still use: a scope is their own view of it, as their own NATS connection would be.

/**
 * A view of `bus` whose `close()` stops only the subscriptions, consumers and KV watches made
 * through it; `bus` itself stays open for its other users. `requestTimeoutMs` (live) is this
 * user's default request timeout, as its own connection's would be; without it, the bus's.
 */
export class ScopedBus implements Bus {
  readonly subjects: Subjects;
  private readonly subscriptions = new Set<BusSubscription>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly requestTimeoutMs?: () => number,
  ) {
    this.subjects = bus.subjects;
  }

  async request<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    payload: z.input<Req>,
    options?: RequestOptions,
  ): Promise<z.infer<Res>> {
    this.assertOpen();
    const timeoutMs = options?.timeoutMs ?? this.requestTimeoutMs?.();
    return this.bus.request(subject, rpc, payload, { ...options, timeoutMs });
  }

  serve<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, context: RequestContext) => Promise<z.input<Res>>,
    options: { queue: string },
  ): BusSubscription {
    this.assertOpen();
    return this.track(this.bus.serve(subject, rpc, handler, options));
  }

  async publishEvent<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    context?: CallContext,
  ): Promise<void> {
    this.assertOpen();
    return this.bus.publishEvent(subject, schema, payload, context);
  }

  async consumeEvents<S extends z.ZodType>(options: ConsumeOptions<S>): Promise<BusSubscription> {
    this.assertOpen();
    return this.track(await this.bus.consumeEvents(options));
  }

  async kv(name: string): Promise<KvBucket> {
    this.assertOpen();
    const bucket = await this.bus.kv(name);
    return {
      get: (key) => bucket.get(key),
      put: (key, value) => bucket.put(key, value),
      delete: (key) => bucket.delete(key),
      entries: (filter) => bucket.entries(filter),
      watch: async (filter: string, onChange: (change: KvChange) => void) =>
        this.track(await bucket.watch(filter, onChange)),
    };
  }

  async ping(): Promise<number> {
    this.assertOpen();
    return this.bus.ping();
  }

  /** Stops this scope's subscriptions; the bus it views stays open. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.stop()));
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) {
      throw new SbError('E_UNAVAILABLE', 'this bus client is closed: its owner is shutting down');
    }
  }

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
