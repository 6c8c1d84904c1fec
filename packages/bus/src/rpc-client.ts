import {
  ClosedConnectionError,
  DrainingConnectionError,
  InvalidArgumentError,
  InvalidSubjectError,
  type Msg,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  describeZodIssues,
  fromErrorBody,
  Headers,
  isSbError,
  type RpcDefinition,
  SbError,
  validationError,
} from '@switchboard/protocol';
import type { z } from 'zod';
import type { RequestOptions } from './bus.ts';
import { type BodyEncoder, decodeJson } from './codec.ts';
import { ReplyEnvelopeSchema } from './envelope.ts';
import type { RequestMux } from './request-mux.ts';
import { assertFits, outgoingHeaders, readHeader } from './wire.ts';

/** What a request needs from the bus. */
export interface RpcClientDeps {
  nc: NatsConnection;
  mux: RequestMux;
  requestTimeoutMs: () => number;
  /** How request bodies are written (compressed or not). */
  encodeBody: BodyEncoder;
}

/** The error a request raises when the caller's signal aborts it. */
export function abortError(subject: string, signal: AbortSignal): SbError {
  const reason: unknown = signal.reason;
  if (isSbError(reason)) return reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') {
    const expired = `request to ${subject} was aborted: the caller's deadline passed`;
    return new SbError('E_TIMEOUT', expired, { cause: reason });
  }
  return new SbError('E_UNAVAILABLE', `request to ${subject} was aborted by the caller`, {
    cause: reason,
  });
}

/** Maps the NATS client's refusal to publish a request to the error a caller can act on. */
function transportError(subject: string, error: unknown): SbError {
  if (error instanceof ClosedConnectionError || error instanceof DrainingConnectionError) {
    const closed = `cannot send to ${subject}: the NATS connection is closed`;
    return new SbError('E_UNAVAILABLE', closed, { cause: error });
  }
  if (error instanceof InvalidSubjectError || error instanceof InvalidArgumentError) {
    const invalid = `request to ${subject} is invalid: ${error.message}`;
    return new SbError('E_VALIDATION', invalid, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SbError('E_UNAVAILABLE', `request to ${subject} failed: ${reason}`, { cause: error });
}

/** Sends the request, racing the caller's signal when there is one. */
function send(
  mux: RequestMux,
  subject: string,
  data: Uint8Array,
  timeoutMs: number,
  options: RequestOptions,
  headers: ReturnType<typeof outgoingHeaders>['headers'],
): Promise<Msg> {
  const pending = mux.request(subject, data, { timeoutMs, headers });
  const { signal } = options;
  if (signal === undefined) return pending;
  return new Promise<Msg>((resolve, reject) => {
    const onAbort = () => reject(abortError(subject, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Parses a reply: its envelope, then the result against `rpc.response`; an error is rethrown. */
export function parseReply<Res extends z.ZodType>(
  subject: string,
  rpc: RpcDefinition<z.ZodType, Res>,
  msg: Pick<Msg, 'data' | 'headers'>,
): z.infer<Res> {
  let raw: unknown;
  try {
    raw = decodeJson(
      msg.data,
      readHeader(msg.headers, Headers.encoding),
      `the reply of ${subject}`,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SbError('E_INTERNAL', `the reply of ${subject} is malformed: ${reason}`, {
      cause: error,
    });
  }
  const envelope = ReplyEnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    throw new SbError(
      'E_INTERNAL',
      `the reply of ${subject} is malformed: ${describeZodIssues(envelope.error)}`,
    );
  }
  if (!envelope.data.ok) throw fromErrorBody(envelope.data.error);
  const result = rpc.response.safeParse(envelope.data.result);
  if (!result.success) {
    throw new SbError(
      'E_INTERNAL',
      `the reply of ${subject} is malformed: ${describeZodIssues(result.error)}`,
    );
  }
  return result.data;
}

/** Validates, sends and awaits one request; see {@link Bus.request}. */
export async function sendRequest<Req extends z.ZodType, Res extends z.ZodType>(
  deps: RpcClientDeps,
  subject: string,
  rpc: RpcDefinition<Req, Res>,
  payload: z.input<Req>,
  options: RequestOptions = {},
): Promise<z.infer<Res>> {
  const request = rpc.request.safeParse(payload);
  if (!request.success) throw validationError(`request to ${subject}`, request.error);
  if (options.signal?.aborted === true) throw abortError(subject, options.signal);
  const { data, encoding } = deps.encodeBody(payload);
  assertFits(`request to ${subject}`, data, deps.nc.info?.max_payload ?? Number.POSITIVE_INFINITY);
  const timeoutMs = options.timeoutMs ?? deps.requestTimeoutMs();
  const { headers } = outgoingHeaders(options, encoding);
  let msg: Msg;
  try {
    msg = await send(deps.mux, subject, data, timeoutMs, options, headers);
  } catch (error) {
    throw isSbError(error) ? error : transportError(subject, error);
  }
  return parseReply(subject, rpc, msg);
}
