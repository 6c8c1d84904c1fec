import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Headers, isSbError, SbError, type Subjects, validationError } from '@switchboard/protocol';
import type { z } from 'zod';
import type { BusSubscription, CallContext, ConsumeOptions } from './bus.ts';
import { type BodyEncoder, decodeJson } from './codec.ts';
import type { BusLogger } from './logger.ts';
import { outgoingHeaders, readHeader } from './wire.ts';

/** What publishing and consuming events need from the bus. */
export interface EventDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: Subjects;
  log: BusLogger;
  /** Delay before an event whose handler threw is redelivered. */
  retryDelayMs: number;
  /** How event bodies are written (compressed above a threshold, or not). */
  encodeBody: BodyEncoder;
}

// An ephemeral consumer whose process died without deleting it goes away on its own.
const ephemeralInactiveMs = 60_000;
// Few events in flight per consumer, so a stopping replica hands little back.
const maxEventsInFlight = 16;

/** Refuses a subject (or filter) outside the namespace's event stream `<ns>.v1.evt.>`. */
export function assertEventSubject(names: Subjects, subject: string, what: string): void {
  const prefix = names.allEvents.slice(0, -1);
  if (!subject.startsWith(prefix) || subject.length === prefix.length) {
    throw new SbError('E_VALIDATION', `${what} ${subject} is not under ${names.allEvents}`);
  }
}

/** Validates and publishes one event, resolving once JetStream stored it. */
export async function publishEvent<S extends z.ZodType>(
  deps: EventDeps,
  subject: string,
  schema: S,
  payload: z.input<S>,
  context: CallContext = {},
): Promise<void> {
  assertEventSubject(deps.names, subject, 'event subject');
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw validationError(`event ${subject}`, parsed.error);
  const { data, encoding } = deps.encodeBody(payload);
  const { headers } = outgoingHeaders(context, encoding);
  try {
    await deps.js.publish(subject, data, { headers });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SbError('E_UNAVAILABLE', `could not publish event ${subject}: ${reason}`, {
      cause: error,
    });
  }
}

/** An event as a transport delivers it: the NATS bus from JetStream, the in-process bus from memory. */
export interface WireEvent {
  subject: string;
  data: Uint8Array;
  headers: JsMsg['headers'];
  seq: number;
}

/** What became of one delivered event: handled, to be redelivered, or dropped as malformed. */
export type EventOutcome = 'ack' | 'nak' | 'term';

/**
 * Decodes, validates and handles one delivered event; never throws. Shared by both buses, so a
 * malformed event is dropped and a failing handler retried the same way.
 */
export async function handleEvent<S extends z.ZodType>(
  log: BusLogger,
  options: ConsumeOptions<S>,
  event: WireEvent,
): Promise<EventOutcome> {
  let payload: z.infer<S>;
  try {
    const what = `event ${event.subject}`;
    const raw = decodeJson(event.data, readHeader(event.headers, Headers.encoding), what);
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) throw validationError(what, parsed.error);
    payload = parsed.data;
  } catch (error) {
    log.warn(
      { err: error, subject: event.subject, sequence: event.seq },
      `dropped a malformed event ${event.subject} (sequence ${event.seq})`,
    );
    return 'term';
  }
  try {
    await options.handler({
      subject: event.subject,
      payload,
      sequence: event.seq,
      traceparent: readHeader(event.headers, Headers.traceparent),
    });
    return 'ack';
  } catch (error) {
    const fields = { err: error, subject: event.subject, sequence: event.seq };
    const text = `the handler of event ${event.subject} failed; it will be redelivered`;
    // An SbError is a condition the handler foresaw (a dependency down); anything else is a bug.
    if (isSbError(error)) log.warn(fields, text);
    else log.error(fields, text);
    return 'nak';
  }
}

/** Settles a JetStream message as {@link handleEvent} decided. */
async function settleJsMsg<S extends z.ZodType>(
  deps: EventDeps,
  options: ConsumeOptions<S>,
  msg: JsMsg,
): Promise<void> {
  const outcome = await handleEvent(deps.log, options, msg);
  if (outcome === 'ack') msg.ack();
  else if (outcome === 'nak') msg.nak(deps.retryDelayMs);
  else msg.term('malformed');
}

/** Creates (or joins, when durable) the consumer and starts pulling from it. */
async function startConsumer(deps: EventDeps, config: Partial<ConsumerConfig>, filter: string) {
  const stream = deps.names.eventStream;
  try {
    const info = await deps.jsm.consumers.add(stream, config);
    const consumer = await deps.js.consumers.get(stream, info.name);
    const messages = await consumer.consume({ max_messages: maxEventsInFlight });
    return { info, messages };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SbError(
      'E_UNAVAILABLE',
      `could not consume ${filter} from the event stream ${stream}: ${reason}`,
      { cause: error },
    );
  }
}

/** Starts a consumer of the event stream; see {@link Bus.consumeEvents}. */
export async function consumeEvents<S extends z.ZodType>(
  deps: EventDeps,
  options: ConsumeOptions<S>,
): Promise<BusSubscription> {
  assertEventSubject(deps.names, options.filterSubject, 'event filter');
  const stream = deps.names.eventStream;
  const config: Partial<ConsumerConfig> = {
    ack_policy: AckPolicy.Explicit,
    // One filter per consumer: nats-server 2.9 rejects `filter_subjects`.
    filter_subject: options.filterSubject,
    deliver_policy: options.deliverFrom === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
  };
  if (options.durableName === undefined) config.inactive_threshold = nanos(ephemeralInactiveMs);
  else config.durable_name = options.durableName;
  const { info, messages } = await startConsumer(deps, config, options.filterSubject);

  let stopping = false;
  const loop = (async () => {
    for await (const msg of messages) {
      // Events fetched but not yet handled go back at once, for another replica to take.
      if (stopping) msg.nak();
      else await settleJsMsg(deps, options, msg);
    }
  })().catch((err: unknown) => {
    deps.log.error({ err, stream, consumer: info.name }, `the event consumer ${info.name} stopped`);
  });

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        messages.stop();
        await loop;
        if (options.durableName === undefined) {
          await deps.jsm.consumers.delete(stream, info.name).catch((err: unknown) => {
            deps.log.debug({ err, consumer: info.name }, 'could not delete an ephemeral consumer');
          });
        }
      })();
      return stopped;
    },
  };
}
