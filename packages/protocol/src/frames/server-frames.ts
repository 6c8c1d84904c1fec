import { z } from 'zod';
import { StateChangedEventSchema } from '../events/state-events.ts';
import { LifecycleRecordSchema, StateSummarySchema } from '../state-rpcs.ts';
import {
  ErrorFrameSchema,
  FrameIdSchema,
  frameBase,
  PingFrameSchema,
  PongFrameSchema,
  ResultFrameSchema,
} from './envelope.ts';
import { DeliverFrameSchema, ReceiptFrameSchema } from './message-frames.ts';
import { TaskAbortFrameSchema, TaskChangedFrameSchema, TaskFrameSchema } from './task-frames.ts';
import { ToolCallFrameSchema } from './tool-frames.ts';

/** The limits a connection lives under, announced in `welcome` so the SDK can respect them. */
export const ConnectionLimitsSchema = z.strictObject({
  maxFrameBytes: z.number().int().positive(),
  maxPayloadBytes: z.number().int().positive(),
});
export type ConnectionLimits = z.infer<typeof ConnectionLimitsSchema>;

/** The answer to `hello`: the version both sides speak and how this connection is run. */
export const WelcomeFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('welcome'),
  re: FrameIdSchema,
  version: z.number().int().positive(),
  connectionId: z.string(),
  gatewayId: z.string(),
  /** The client pings at least this often; the gateway drops a connection silent for longer. */
  heartbeatIntervalMs: z.number().int().positive(),
  heartbeatTimeoutMs: z.number().int().positive(),
  limits: ConnectionLimitsSchema,
});
export type WelcomeFrame = z.infer<typeof WelcomeFrameSchema>;

/**
 * A key of a scope the connection watches got a new version (`state.watch`). It carries no
 * document: read it with `state.get` when needed. Not answered; a push the agent was too slow to
 * take is dropped, so compare versions rather than count frames.
 */
export const StateChangedFrameSchema = StateChangedEventSchema.extend({
  ...frameBase,
  type: z.literal('state.changed'),
});
export type StateChangedFrame = z.infer<typeof StateChangedFrameSchema>;

/**
 * Pushed once after each successful `register` (first connection and every reconnect): the
 * agent's lifecycle record and the current keys and versions of its own scope `agent:<id>`,
 * never documents (read what changed with `state.get`). Not answered; skipped when the state
 * service did not answer in time.
 */
export const ResumeFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('resume'),
  status: LifecycleRecordSchema,
  state: StateSummarySchema,
});
export type ResumeFrame = z.infer<typeof ResumeFrameSchema>;

/** Every frame the gateway may send to an agent. Later issues add theirs here. */
export const ServerFrameSchema = z.discriminatedUnion('type', [
  WelcomeFrameSchema,
  ResultFrameSchema,
  ErrorFrameSchema,
  PingFrameSchema,
  PongFrameSchema,
  DeliverFrameSchema,
  ReceiptFrameSchema,
  StateChangedFrameSchema,
  ResumeFrameSchema,
  ToolCallFrameSchema,
  // Tasks.
  TaskFrameSchema,
  TaskAbortFrameSchema,
  TaskChangedFrameSchema,
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
