import { type ResultFrame, SbError } from '@switchboard/protocol';
import type { z } from 'zod';
import type { OutgoingFrame } from './frames.ts';

/** Sends a request frame over the current connection; resolves with its `result` frame. */
export type SendRequest = (frame: OutgoingFrame) => Promise<ResultFrame>;

/** Sends `frame` and reads its result as `schema`; a result that is not one is `E_INTERNAL`. */
export async function requestResult<S extends z.ZodType>(
  send: SendRequest,
  frame: OutgoingFrame,
  schema: S,
): Promise<z.infer<S>> {
  const reply = await send(frame);
  const parsed = schema.safeParse(reply.result);
  if (!parsed.success) {
    throw new SbError(
      'E_INTERNAL',
      `the gateway answered ${frame.type} with an unexpected result`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}
