import type { Msg, NatsConnection } from '@nats-io/transport-node';
import {
  describeZodIssues,
  type ErrorBody,
  Headers,
  isSbError,
  type RpcDefinition,
  toErrorBody,
  validationError,
} from '@switchboard/protocol';
import type { z } from 'zod';
import type { BusSubscription, RequestContext } from './bus.ts';
import { type BodyEncoder, decodeJson, encodeJson } from './codec.ts';
import type { ReplyEnvelope } from './envelope.ts';
import type { BusLogger } from './logger.ts';
import type { RpcMetrics } from './metrics.ts';
import type { Outbox } from './outbox.ts';
import { settleWithin } from './settle.ts';
import { continueTrace, traceIdOf } from './trace.ts';
import { assertFits, readHeader, replyHeaders } from './wire.ts';

/** What serving needs from the bus. */
export interface RpcServerDeps {
  nc: NatsConnection;
  log: BusLogger;
  metrics: RpcMetrics;
  /** After this long a requester has given up, so `stop()` waits no longer for handlers. */
  requestTimeoutMs: () => number;
  /** How reply bodies are written (compressed or not). */
  encodeBody: BodyEncoder;
  /** Where replies leave. */
  outbox: Outbox;
}

type Handler<Req extends z.ZodType, Res extends z.ZodType> = (
  request: z.infer<Req>,
  context: RequestContext,
) => Promise<z.input<Res>>;

const internalBody: ErrorBody = toErrorBody(new Error('bug'));

/** What answering reads of a request: the same whether NATS or the in-process bus carried it. */
export type WireRequest = Pick<Msg, 'subject' | 'data' | 'headers'>;

/**
 * Runs one request through validation and the handler; never throws. Shared by the NATS bus and
 * the in-process bus, so both validate, trace and report errors alike.
 */
export async function answer<Req extends z.ZodType, Res extends z.ZodType>(
  deps: Pick<RpcServerDeps, 'log'>,
  subject: string,
  rpc: RpcDefinition<Req, Res>,
  handler: Handler<Req, Res>,
  msg: WireRequest,
): Promise<ReplyEnvelope> {
  // Known once the headers are read; a failure before that has no trace to name.
  let traceId: string | undefined;
  try {
    const what = `request to ${subject}`;
    const raw = decodeJson(msg.data, readHeader(msg.headers, Headers.encoding), what);
    const request = rpc.request.safeParse(raw);
    if (!request.success) throw validationError(what, request.error);
    const context: RequestContext = {
      subject: msg.subject,
      traceparent: continueTrace(readHeader(msg.headers, Headers.traceparent)),
      principal: readHeader(msg.headers, Headers.principal),
      principalSignature: readHeader(msg.headers, Headers.principalSignature),
    };
    traceId = traceIdOf(context.traceparent);
    const result = await handler(request.data, context);
    const checked = rpc.response.safeParse(result);
    if (!checked.success) {
      deps.log.error(
        { subject, traceId, operation: rpc.operation, issues: describeZodIssues(checked.error) },
        `the handler of ${subject} returned a result that does not match its response schema`,
      );
      return { ok: false, error: internalBody };
    }
    return { ok: true, result };
  } catch (error) {
    if (!isSbError(error)) {
      deps.log.error({ err: error, subject, traceId }, `the handler of ${subject} failed`);
    }
    return { ok: false, error: toErrorBody(error) };
  }
}

/** Encodes the reply, replacing one that NATS could not carry with an error that can. */
function encodeReply(deps: RpcServerDeps, subject: string, reply: ReplyEnvelope) {
  const { data, encoding } = deps.encodeBody(reply);
  try {
    assertFits(
      `the reply of ${subject}`,
      data,
      deps.nc.info?.max_payload ?? Number.POSITIVE_INFINITY,
    );
    return { reply, data, encoding };
  } catch (error) {
    deps.log.warn({ err: error, subject }, `the reply of ${subject} is too large for NATS`);
    const tooLarge: ReplyEnvelope = { ok: false, error: toErrorBody(error) };
    return { reply: tooLarge, data: encodeJson(tooLarge), encoding: 'identity' as const };
  }
}

/** Serves `subject` in queue group `queue`; see {@link Bus.serve}. */
export function serveRpc<Req extends z.ZodType, Res extends z.ZodType>(
  deps: RpcServerDeps,
  subject: string,
  rpc: RpcDefinition<Req, Res>,
  handler: Handler<Req, Res>,
  queue: string,
): BusSubscription {
  const inflight = new Set<Promise<unknown>>();

  const handle = async (msg: Msg) => {
    const startedAt = performance.now();
    const { reply, data, encoding } = encodeReply(
      deps,
      subject,
      await answer(deps, subject, rpc, handler, msg),
    );
    deps.metrics.observe(
      rpc.operation,
      reply.ok ? 'ok' : reply.error.code,
      (performance.now() - startedAt) / 1000,
    );
    deps.outbox.publish({
      subject: msg.reply as string,
      data,
      headers: replyHeaders(encoding),
      onError: (error) => {
        deps.log.error({ err: error, subject }, `could not reply to a request on ${subject}`);
      },
    });
  };

  const subscription = deps.nc.subscribe(subject, {
    queue,
    callback: (error, msg) => {
      if (error !== null) {
        deps.log.error({ err: error, subject }, `the subscription to ${subject} failed`);
        return;
      }
      if (msg.reply === undefined || msg.reply === '') {
        deps.log.warn({ subject }, `ignored a message on ${subject} that expects no reply`);
        return;
      }
      // Handlers run concurrently: each request is its own task, tracked so stop() can wait.
      const task: Promise<void> = handle(msg).catch((err: unknown) => {
        deps.log.error({ err, subject }, `could not reply to a request on ${subject}`);
      });
      inflight.add(task);
      void task.finally(() => inflight.delete(task));
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        if (!subscription.isClosed()) {
          await subscription.drain().catch((err: unknown) => {
            deps.log.debug({ err, subject }, `draining the subscription to ${subject} failed`);
          });
        }
        await settleWithin(inflight, deps.requestTimeoutMs());
      })();
      return stopped;
    },
  };
}
