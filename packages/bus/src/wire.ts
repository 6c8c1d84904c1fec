import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, type PayloadCodec, SbError } from '@switchboard/protocol';
import type { CallContext } from './bus.ts';
import { continueTrace } from './trace.ts';

/** The headers of an outgoing request or event, and the `traceparent` they carry. */
export function outgoingHeaders(
  context: CallContext,
  encoding: PayloadCodec = 'identity',
): { headers: MsgHdrs; traceparent: string } {
  const headers = natsHeaders();
  const traceparent = continueTrace(context.traceparent);
  headers.set(Headers.traceparent, traceparent);
  if (context.principal !== undefined) headers.set(Headers.principal, context.principal);
  if (context.principalSignature !== undefined) {
    headers.set(Headers.principalSignature, context.principalSignature);
  }
  headers.set(Headers.encoding, encoding);
  return { headers, traceparent };
}

/** The headers of a reply: only the encoding of its body. */
export function replyHeaders(encoding: PayloadCodec = 'identity'): MsgHdrs {
  const headers = natsHeaders();
  headers.set(Headers.encoding, encoding);
  return headers;
}

/** One header of a received message, `undefined` when absent or empty. */
export function readHeader(headers: MsgHdrs | undefined, name: string): string | undefined {
  const value = headers?.get(name);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Refuses a message larger than the server's `max_payload` before sending it, with a message
 * that names what was too large (the client would only say "max_payload size exceeded").
 */
export function assertFits(what: string, data: Uint8Array, maxPayloadBytes: number): void {
  if (data.length > maxPayloadBytes) {
    throw new SbError(
      'E_PAYLOAD_TOO_LARGE',
      `${what} is ${data.length} bytes; NATS carries at most ${maxPayloadBytes}`,
      { details: { bytes: data.length, maxBytes: maxPayloadBytes } },
    );
  }
}
