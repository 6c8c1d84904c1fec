import {
  type ClientFrame,
  ErrorCodes,
  type FrameError,
  fromErrorBody,
  SbError,
  type ServerFrame,
  ServerFrameSchema,
} from '@switchboard/protocol';

/** A client frame before the SDK stamps it with the protocol version and a frame id. */
export type OutgoingFrame = ClientFrame extends infer Frame
  ? Frame extends ClientFrame
    ? Omit<Frame, 'v' | 'id'>
    : never
  : never;

/** A frame read off the socket, or why it is not one the SDK knows. */
export type IncomingFrame = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

/**
 * Reads one frame from the gateway. Never throws: text that is not a known server frame is
 * reported (a newer gateway may send frame types this SDK predates).
 */
export function parseServerFrame(data: unknown): IncomingFrame {
  if (typeof data !== 'string') return { ok: false, reason: 'a binary frame' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'a frame that is not JSON' };
  }
  const parsed = ServerFrameSchema.safeParse(withKnownErrorCode(value));
  if (parsed.success) return { ok: true, frame: parsed.data };
  const type = (value as { type?: unknown } | null)?.type;
  return {
    ok: false,
    reason: typeof type === 'string' ? `a ${type.slice(0, 64)} frame it does not know` : 'a frame',
  };
}

/**
 * A newer gateway may answer with an error code this SDK predates: the frame still settles its
 * request, as `E_INTERNAL` with the original code in `details.code`, instead of being dropped
 * (which would leave the request waiting for its timeout).
 */
function withKnownErrorCode(value: unknown): unknown {
  const frame = value as { type?: unknown; error?: { code?: unknown; details?: unknown } } | null;
  const code = frame?.error?.code;
  if (frame?.type !== 'error' || typeof code !== 'string' || code in ErrorCodes) return value;
  const details = typeof frame.error?.details === 'object' ? frame.error.details : {};
  return { ...frame, error: { ...frame.error, code: 'E_INTERNAL', details: { ...details, code } } };
}

/** The error an error frame carries, keeping `retryAfterMs` (a throttled request) in `details`. */
export function errorOfFrame(error: FrameError): SbError {
  const { retryAfterMs, ...body } = error;
  if (retryAfterMs === undefined) return fromErrorBody(body);
  return new SbError(body.code, body.message, { details: { ...body.details, retryAfterMs } });
}
