import {
  type ClientFrame,
  type FrameError,
  fromErrorBody,
  SbError,
  type ServerFrame,
  ServerFrameSchema,
} from '@switchboard/protocol';
import { z } from 'zod';

/** A client frame before the SDK stamps it with the protocol version and a frame id. */
export type OutgoingFrame = ClientFrame extends infer Frame
  ? Frame extends ClientFrame
    ? Omit<Frame, 'v' | 'id'>
    : never
  : never;

/** What the gateway answers to `register`. */
export const RegisterResultSchema = z.object({
  agentId: z.string().min(1),
  connectionId: z.string().min(1),
});

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
  const parsed = ServerFrameSchema.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const type = (value as { type?: unknown } | null)?.type;
  return {
    ok: false,
    reason: typeof type === 'string' ? `a ${type.slice(0, 64)} frame it does not know` : 'a frame',
  };
}

/** The error an error frame carries, keeping `retryAfterMs` (a throttled request) in `details`. */
export function errorOfFrame(error: FrameError): SbError {
  const { retryAfterMs, ...body } = error;
  if (retryAfterMs === undefined) return fromErrorBody(body);
  return new SbError(body.code, body.message, { details: { ...body.details, retryAfterMs } });
}
