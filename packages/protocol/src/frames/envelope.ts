import { z } from 'zod';
import { ErrorBodySchema } from '../error-body.ts';

/** Every frame is named by an id its sender chose: replies point at it with `re`. */
export const FrameIdSchema = z.string().min(1).max(128);

/** The fields every frame carries: protocol version, type and id. */
export const frameBase = { v: z.number().int().positive(), id: FrameIdSchema };

/** An error a frame carries: the shared error body, plus when to try again if throttled. */
export const FrameErrorSchema = ErrorBodySchema.extend({
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type FrameError = z.infer<typeof FrameErrorSchema>;

/** The reply to a request frame that succeeded. */
export const ResultFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('result'),
  re: FrameIdSchema,
  result: z.unknown().optional(),
});
export type ResultFrame = z.infer<typeof ResultFrameSchema>;

/**
 * The reply to a frame that failed, or a notice about the connection (`re` is null when no
 * frame id could be read, e.g. the frame was not JSON).
 */
export const ErrorFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('error'),
  re: FrameIdSchema.nullable(),
  error: FrameErrorSchema,
});
export type ErrorFrame = z.infer<typeof ErrorFrameSchema>;

/** Heartbeat, both ways: a `ping` is answered by a `pong` naming it. */
export const PingFrameSchema = z.strictObject({ ...frameBase, type: z.literal('ping') });
export type PingFrame = z.infer<typeof PingFrameSchema>;

/** The answer to a `ping`. */
export const PongFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('pong'),
  re: FrameIdSchema,
});
export type PongFrame = z.infer<typeof PongFrameSchema>;
