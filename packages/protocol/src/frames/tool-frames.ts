import { z } from 'zod';
import { ErrorBodySchema } from '../error-body.ts';
import {
  GatewayToolCallRpc,
  ToolsCallRpc,
  ToolsGetRpc,
  ToolsListRpc,
  ToolsRegisterRpc,
} from '../tool-rpcs.ts';
import { FrameIdSchema, frameBase } from './envelope.ts';

/** Registers the tool versions this agent provides: answered like `<ns>.v1.tools.register`. */
export const ToolsRegisterFrameSchema = ToolsRegisterRpc.request.extend({
  ...frameBase,
  type: z.literal('tools.register'),
});
export type ToolsRegisterFrame = z.infer<typeof ToolsRegisterFrameSchema>;

/** Calls a tool: answered with `{ name, version, result }` or the call's error. */
export const ToolsCallFrameSchema = ToolsCallRpc.request.extend({
  ...frameBase,
  type: z.literal('tools.call'),
  arguments: ToolsCallRpc.request.shape.arguments.unwrap().optional(),
});
export type ToolsCallFrame = z.infer<typeof ToolsCallFrameSchema>;

/** Lists the tools the agent may list (one entry per tool, at its default version). */
export const ToolsListFrameSchema = ToolsListRpc.request.extend({
  ...frameBase,
  type: z.literal('tools.list'),
  limit: ToolsListRpc.request.shape.limit.unwrap().optional(),
});
export type ToolsListFrame = z.infer<typeof ToolsListFrameSchema>;

/** Reads the version of a tool a range resolves to. */
export const ToolsGetFrameSchema = ToolsGetRpc.request.extend({
  ...frameBase,
  type: z.literal('tools.get'),
});
export type ToolsGetFrame = z.infer<typeof ToolsGetFrameSchema>;

/** The tool frames the gateway forwards to the tool registry. */
export const toolFrameSchemas = [
  ToolsRegisterFrameSchema,
  ToolsCallFrameSchema,
  ToolsListFrameSchema,
  ToolsGetFrameSchema,
] as const;

/**
 * Pushed to a provider: run tool `name@version` with `arguments` and answer with a `tool.result`
 * naming `callId` before `deadline` (a later answer is dropped).
 */
export const ToolCallFrameSchema = GatewayToolCallRpc.request.omit({ agentId: true }).extend({
  ...frameBase,
  type: z.literal('tool.call'),
});
export type ToolCallFrame = z.infer<typeof ToolCallFrameSchema>;

/**
 * A provider's answer to a `tool.call`: `result` (null when left out), or the `error` its tool
 * failed with, never both. Not answered itself; the gateway hands it to the waiting caller.
 */
export const ToolResultFrameSchema = z
  .strictObject({
    ...frameBase,
    type: z.literal('tool.result'),
    callId: FrameIdSchema,
    result: z.json().optional(),
    error: ErrorBodySchema.optional(),
  })
  .refine((frame) => frame.result === undefined || frame.error === undefined, {
    message: 'a tool.result carries either result or error, not both',
  });
export type ToolResultFrame = z.infer<typeof ToolResultFrameSchema>;
