import { ErrorBodySchema } from '@switchboard/protocol';
import { z } from 'zod';

/**
 * The body of every RPC reply: the result, or the error the handler raised. `result` is
 * optional on the wire because JSON drops an `undefined` result.
 */
export const ReplyEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: ErrorBodySchema }),
]);

/** A parsed reply envelope. */
export type ReplyEnvelope = z.infer<typeof ReplyEnvelopeSchema>;
