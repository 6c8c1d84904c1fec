import type { RpcDefinition, Subjects } from '@switchboard/protocol';
import type { z } from 'zod';

/** What a caller may attach to a request or event: W3C trace context and the caller's principal. */
export interface CallContext {
  /** W3C `traceparent`; a fresh one is generated when absent. */
  traceparent?: string;
  /** The serialized principal (`sb-principal` header); only gateway, tools and a2a set it. */
  principal?: string;
  /** The signature of `principal` (`sb-principal-sig` header), made by gateway, tools or a2a. */
  principalSignature?: string;
}

/** Options of one request. */
export interface RequestOptions extends CallContext {
  /** Defaults to the bus's `requestTimeoutMs`. Expiry rejects with `E_TIMEOUT`. */
  timeoutMs?: number;
  /**
   * Aborting rejects the request at once: with the signal's reason when it is an `SbError`,
   * `E_TIMEOUT` for `AbortSignal.timeout`, else `E_UNAVAILABLE`. A late reply is dropped.
   */
  signal?: AbortSignal;
}

/** What a handler learns about the request it serves. */
export interface RequestContext {
  subject: string;
  traceparent: string;
  principal: string | undefined;
  /** The `sb-principal-sig` header: who vouches for `principal`, until when. */
  principalSignature: string | undefined;
}

/** A live subscription; `stop()` drains it and is idempotent. */
export interface BusSubscription {
  stop(): Promise<void>;
}

/** One event read from the event stream. */
export interface BusEvent<T> {
  subject: string;
  payload: T;
  /** Stream sequence: increases with every event of the namespace. */
  sequence: number;
  traceparent: string | undefined;
}

/** Options of an event consumer. */
export interface ConsumeOptions<S extends z.ZodType> {
  /** One subject filter (wildcards allowed) under `<ns>.v1.evt.>`. */
  filterSubject: string;
  schema: S;
  /** A durable name lets replicas share the consumer and resume after a restart. */
  durableName?: string;
  /** Where a new consumer starts: only new events (default) or the whole retained stream. */
  deliverFrom?: 'new' | 'all';
  handler: (event: BusEvent<z.infer<S>>) => Promise<void>;
}

/** A change seen by a KV watch. `value` is undefined when the key was deleted or purged. */
export interface KvChange {
  key: string;
  value: unknown;
  revision: number;
}

/** A JetStream KV bucket holding JSON values. */
export interface KvBucket {
  get(key: string): Promise<{ value: unknown; revision: number } | undefined>;
  put(key: string, value: unknown): Promise<number>;
  delete(key: string): Promise<void>;
  /** Every current entry whose key matches `filter` (NATS wildcards), without watching. */
  entries(filter: string): Promise<Map<string, unknown>>;
  /** Calls `onChange` for every change after the call to `watch` resolves. */
  watch(filter: string, onChange: (change: KvChange) => void): Promise<BusSubscription>;
}

/**
 * The typed message bus every service talks through. NATS implements it
 * ({@link connectNatsBus}); a later embedded mode implements it in process.
 */
export interface Bus {
  readonly subjects: Subjects;
  /** Sends a request validated with `rpc.request`, returns the reply validated with `rpc.response`. */
  request<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    payload: z.input<Req>,
    options?: RequestOptions,
  ): Promise<z.infer<Res>>;
  /**
   * Serves `subject` in `queue`; a malformed request gets an `E_VALIDATION` reply. Handlers run
   * concurrently. The subscription reaches the server asynchronously: other connections see it
   * once a later `ping()` resolved (readiness checks ping, so a ready service is reachable).
   */
  serve<Req extends z.ZodType, Res extends z.ZodType>(
    subject: string,
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, context: RequestContext) => Promise<z.input<Res>>,
    options: { queue: string },
  ): BusSubscription;
  /** Publishes an event to the event stream (ids and versions only, never payloads). */
  publishEvent<S extends z.ZodType>(
    subject: string,
    schema: S,
    payload: z.input<S>,
    context?: CallContext,
  ): Promise<void>;
  /** Consumes events; a handler that throws gets its event redelivered. */
  consumeEvents<S extends z.ZodType>(options: ConsumeOptions<S>): Promise<BusSubscription>;
  /** Opens (creating if needed) a KV bucket. */
  kv(bucket: string): Promise<KvBucket>;
  /** Round trip to the server in ms; rejects when the connection is down. */
  ping(): Promise<number>;
  /** Stops subscriptions, flushes and closes. Idempotent. */
  close(): Promise<void>;
}
