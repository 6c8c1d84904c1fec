import { z } from 'zod';
import {
  LifecycleTransitionRpc,
  StateDeleteRpc,
  StateGetRpc,
  StateHistoryRpc,
  StatePatchRpc,
  StatePutRpc,
  StateScopeSchema,
  StateWatchRpc,
} from '../state-rpcs.ts';
import { a2aFrameSchemas } from './a2a-frames.ts';
import { frameBase } from './envelope.ts';
import { routerFrameSchemas } from './message-frames.ts';
import { taskFrameSchemas } from './task-frames.ts';
import { toolFrameSchemas } from './tool-frames.ts';

// A frame's scope is optional: the gateway fills in the agent's own scope `agent:<agentId>`.
const scoped = { ...frameBase, scope: StateScopeSchema.optional() };

/** Reads a state document: answered with a `StateEntry` or `E_NOT_FOUND`. */
export const StateGetFrameSchema = StateGetRpc.request.extend({
  ...scoped,
  type: z.literal('state.get'),
});
export type StateGetFrame = z.infer<typeof StateGetFrameSchema>;

/** Replaces a state document at `expectedVersion`: answered with the version it created. */
export const StatePutFrameSchema = StatePutRpc.request.extend({
  ...scoped,
  type: z.literal('state.put'),
});
export type StatePutFrame = z.infer<typeof StatePutFrameSchema>;

/** Applies a JSON Merge Patch at `expectedVersion`: answered with the version it created. */
export const StatePatchFrameSchema = StatePatchRpc.request.extend({
  ...scoped,
  type: z.literal('state.patch'),
});
export type StatePatchFrame = z.infer<typeof StatePatchFrameSchema>;

/** Deletes a state document at `expectedVersion`: answered with the tombstone's version. */
export const StateDeleteFrameSchema = StateDeleteRpc.request.extend({
  ...scoped,
  type: z.literal('state.delete'),
});
export type StateDeleteFrame = z.infer<typeof StateDeleteFrameSchema>;

/** Lists kept versions of a key, newest first (`limit` defaults at the state service). */
export const StateHistoryFrameSchema = StateHistoryRpc.request.extend({
  ...scoped,
  type: z.literal('state.history'),
  limit: StateHistoryRpc.request.shape.limit.unwrap().optional(),
});
export type StateHistoryFrame = z.infer<typeof StateHistoryFrameSchema>;

/**
 * Watches a scope the agent may read (its own without `scope`): answered with `{ scope }`, then
 * a `state.changed` push for every later write there, while this connection lasts.
 */
export const StateWatchFrameSchema = StateWatchRpc.request.extend({
  ...scoped,
  type: z.literal('state.watch'),
});
export type StateWatchFrame = z.infer<typeof StateWatchFrameSchema>;

/** Stops watching a scope (its own without `scope`): answered with `{ removed }`. */
export const StateUnwatchFrameSchema = z.strictObject({
  ...scoped,
  type: z.literal('state.unwatch'),
});
export type StateUnwatchFrame = z.infer<typeof StateUnwatchFrameSchema>;

/** What `state.unwatch` answers: whether the connection was watching the scope. */
export const StateUnwatchResultSchema = z.strictObject({ removed: z.boolean() });
export type StateUnwatchResult = z.infer<typeof StateUnwatchResultSchema>;

/** The agent reports its own lifecycle status (e.g. `idle`, `busy`). */
export const LifecycleTransitionFrameSchema = LifecycleTransitionRpc.request
  .omit({ agentId: true })
  .extend({ ...frameBase, type: z.literal('lifecycle.transition') });
export type LifecycleTransitionFrame = z.infer<typeof LifecycleTransitionFrameSchema>;

/** Reads the agent's own lifecycle record. */
export const LifecycleGetFrameSchema = z.strictObject({
  ...frameBase,
  type: z.literal('lifecycle.get'),
});
export type LifecycleGetFrame = z.infer<typeof LifecycleGetFrameSchema>;

/** The frames the gateway forwards to a service on behalf of the registered agent. */
export const serviceFrameSchemas = [
  StateGetFrameSchema,
  StatePutFrameSchema,
  StatePatchFrameSchema,
  StateDeleteFrameSchema,
  StateHistoryFrameSchema,
  StateWatchFrameSchema,
  LifecycleTransitionFrameSchema,
  LifecycleGetFrameSchema,
  ...routerFrameSchemas,
  ...toolFrameSchemas,
  // Tasks: forwarded to the task worker.
  ...taskFrameSchemas,
  // A2A task updates: forwarded to the a2a-peer.
  ...a2aFrameSchemas,
] as const;

/** A frame the gateway forwards to a service (see {@link serviceFrameSchemas}). */
export type ServiceFrame = z.infer<(typeof serviceFrameSchemas)[number]>;
