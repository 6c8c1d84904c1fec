import { z } from 'zod';
import { AgentRegistrationSchema } from './agent.ts';
import { frameBase, PingFrameSchema, PongFrameSchema } from './envelope.ts';
import { AckFrameSchema, NackFrameSchema } from './message-frames.ts';
import { StateUnwatchFrameSchema, serviceFrameSchemas } from './service-frames.ts';
import { TaskUnwatchFrameSchema } from './task-frames.ts';
import { ToolResultFrameSchema } from './tool-frames.ts';

/** First frame of a connection: the protocol versions the client speaks, and who it is. */
export const HelloFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('hello'),
  versions: z.array(z.number().int().positive()).min(1).max(16),
  client: z
    .strictObject({ name: z.string().min(1).max(64), version: z.string().min(1).max(64) })
    .optional(),
});
export type HelloFrame = z.infer<typeof HelloFrameSchema>;

/** Registers (or re-registers after a reconnect) the agent behind this connection. */
export const RegisterFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('register'),
  agent: AgentRegistrationSchema,
});
export type RegisterFrame = z.infer<typeof RegisterFrameSchema>;

/** Every frame an agent may send to the gateway. Later issues add theirs here. */
export const ClientFrameSchema = z.discriminatedUnion('type', [
  HelloFrameSchema,
  RegisterFrameSchema,
  PingFrameSchema,
  PongFrameSchema,
  AckFrameSchema,
  NackFrameSchema,
  // Answered by the gateway itself: a watch lives on the connection, not in a service.
  StateUnwatchFrameSchema,
  // Answered by the gateway itself, like state.unwatch.
  TaskUnwatchFrameSchema,
  // Answered by nobody: the gateway hands it to the tool call it names.
  ToolResultFrameSchema,
  ...serviceFrameSchemas,
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** The type names of {@link ClientFrame}. */
export type ClientFrameType = ClientFrame['type'];

/** Every client frame type, to tell an unknown type from a malformed known one. */
export const clientFrameTypes: readonly ClientFrameType[] = ClientFrameSchema.options.map(
  (option) => option.shape.type.value,
);
