import { z } from 'zod';
import { defineRpc } from './rpc.ts';

// A2A (Agent2Agent, v1.0) as the mesh sees it. The a2a-peer turns an inbound A2A message into a
// router message to a local agent (headers below, conversation id = the A2A `contextId`); the
// agent answers with `a2a.update` frames, which the gateway forwards to `<ns>.v1.a2a.task.update`.
// Parts and messages travel in A2A v1.0's JSON form, so agents see the protocol's own shapes.

/** The label an agent registers to be published as an A2A agent (value {@link A2A_PUBLIC}). */
export const A2A_LABEL = 'a2a';
/** The value of {@link A2A_LABEL} that publishes the agent. */
export const A2A_PUBLIC = 'public';

/** Router message headers that mark an A2A message and name its task. */
export const A2aHeaders = {
  /** The A2A task id the message belongs to. */
  task: 'a2a-task',
  /** What the message asks: {@link A2aMessageKinds}. */
  kind: 'a2a-kind',
} as const;

/** `message`: a user turn to answer; `cancel`: the caller cancelled the task, stop working. */
export const A2aMessageKinds = ['message', 'cancel'] as const;
export type A2aMessageKind = (typeof A2aMessageKinds)[number];

const metadata = z.record(z.string(), z.json()).optional();

/** One part of an A2A message or artifact (v1.0 JSON: exactly one of text, data, url, raw). */
export const A2aPartSchema = z
  .strictObject({
    text: z.string().optional(),
    data: z.json().optional(),
    url: z.url().optional(),
    /** Base64 bytes. */
    raw: z.base64().optional(),
    mediaType: z.string().max(255).optional(),
    filename: z.string().max(1024).optional(),
    metadata,
  })
  .refine(
    (part) => ['text', 'data', 'url', 'raw'].filter((key) => key in part).length === 1,
    'a part holds exactly one of text, data, url, raw',
  );
export type A2aPart = z.infer<typeof A2aPartSchema>;

/** An A2A message (v1.0 JSON): who speaks (`ROLE_USER` / `ROLE_AGENT`) and its parts. */
export const A2aMessageSchema = z.object({
  messageId: z.string().min(1).max(256),
  role: z.enum(['ROLE_USER', 'ROLE_AGENT']),
  parts: z.array(A2aPartSchema).min(1).max(1000),
  contextId: z.string().max(256).optional(),
  taskId: z.string().max(256).optional(),
  metadata,
  extensions: z.array(z.string()).optional(),
  referenceTaskIds: z.array(z.string()).optional(),
});
export type A2aMessage = z.infer<typeof A2aMessageSchema>;

/** What a local agent receives as the payload of an A2A message (`a2a-kind: message`). */
export const A2aInboundSchema = z.strictObject({
  taskId: z.string(),
  contextId: z.string(),
  /** The skill the caller asked the orchestrator for, when it went through the router agent. */
  skill: z.string().nullable(),
  message: A2aMessageSchema,
});
export type A2aInbound = z.infer<typeof A2aInboundSchema>;

/** The A2A task states an agent may move its task to (spec names without `TASK_STATE_`). */
export const A2aAgentStates = [
  'working',
  'input-required',
  'auth-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export type A2aAgentState = (typeof A2aAgentStates)[number];

/** An artifact the agent produced (v1.0 JSON), streamed in chunks with `append`/`lastChunk`. */
export const A2aArtifactSchema = z.strictObject({
  artifactId: z.string().min(1).max(256),
  name: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  parts: z.array(A2aPartSchema).min(1).max(1000),
  metadata,
  extensions: z.array(z.string()).optional(),
});
export type A2aArtifact = z.infer<typeof A2aArtifactSchema>;

/** The fields of an A2A task update (see {@link A2aTaskUpdateSchema}). */
export const A2aTaskUpdateFields = z.strictObject({
  taskId: z.string().min(1).max(256),
  /**
   * Chosen by the agent, the same when the update is sent again (the SDK uses
   * `<message id>:<n>`): an update already applied is answered again without applying it.
   */
  updateId: z.string().min(1).max(300),
  status: z
    .strictObject({
      state: z.enum(A2aAgentStates),
      /** The agent's words for this state (the reply on `completed`, the question on `input-required`). */
      message: z
        .strictObject({ parts: z.array(A2aPartSchema).min(1).max(1000), metadata })
        .optional(),
    })
    .optional(),
  artifact: A2aArtifactSchema.extend({
    append: z.boolean().optional(),
    lastChunk: z.boolean().optional(),
  }).optional(),
  /**
   * A precondition: the update applies only while the task is still in this state (only
   * `submitted` may be named). Once the task has moved on, the update is moot: answered with
   * `skipped: true`, nothing applied and its id not recorded (a task never returns to
   * `submitted`, so a re-send is moot again). A task that ended still answers `E_CONFLICT`.
   * The SDK's automatic `working` report sets it: landing after the handler's own update (a
   * message re-run in another process after a crash, say), it must not undo an
   * `input-required`.
   */
  ifState: z.literal('submitted').optional(),
});

/** True when an update carries something: a status, an artifact or both. */
export const updateCarriesSomething = (update: { status?: unknown; artifact?: unknown }) =>
  update.status !== undefined || update.artifact !== undefined;

/** One update of an A2A task by its agent: a new status, an artifact (chunk), or both. */
export const A2aTaskUpdateSchema = A2aTaskUpdateFields.refine(
  updateCarriesSomething,
  'an update carries a status, an artifact or both',
);
export type A2aTaskUpdate = z.infer<typeof A2aTaskUpdateSchema>;

/**
 * `task.update` (`<ns>.v1.a2a.task.update`): the agent working an A2A task reports progress.
 * The caller must be the task's agent (for a task the orchestrator routed by skill, the first
 * agent to answer takes it). An update whose `ifState` no longer holds is answered, not
 * refused. Errors: `E_NOT_FOUND` (no such task), `E_FORBIDDEN` (another agent's task),
 * `E_CONFLICT` (the task already ended).
 */
export const A2aTaskUpdateRpc = defineRpc(
  'task.update',
  A2aTaskUpdateSchema,
  z.strictObject({
    state: z.string(),
    /** True when this update id was applied before: nothing changed. */
    duplicate: z.boolean(),
    /** Present when the update's `ifState` no longer held: nothing was applied or recorded. */
    skipped: z.literal(true).optional(),
  }),
);

/**
 * `<ns>.v1.evt.a2a.task`: an A2A task changed; its events up to `seq` are stored. Every
 * a2a-peer replica reads them from Postgres for the streams and waits it holds.
 */
export const A2aTaskChangedEventSchema = z.strictObject({
  taskId: z.string(),
  seq: z.int().min(1),
  /** The task's state after the change (the spec's name, `TASK_STATE_WORKING`). */
  state: z.string(),
});
export type A2aTaskChangedEvent = z.infer<typeof A2aTaskChangedEventSchema>;
