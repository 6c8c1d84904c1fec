import { z } from 'zod';
import { AgentIdSchema } from './frames/agent.ts';
import { LifecycleStatuses } from './lifecycle.ts';
import { defineRpc } from './rpc.ts';

/**
 * A state scope: dot-separated tokens without whitespace or wildcards (`team.alpha`); an agent's
 * own state is `agent:<agentId>`. Grants match scopes as subject patterns.
 */
export const StateScopeSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(
    /^[^\s.*>]+(\.[^\s.*>]+)*$/,
    'use dot-separated non-empty tokens without whitespace, `*` or `>`',
  );

/** A key inside a scope. */
export const StateKeySchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9._:/-]+$/, 'use letters, digits and . _ : / -');

/** A stored version: grows by one with every write of a key (deletes included). */
export const StateVersionSchema = z.int().min(0);

/** The scope of an agent's own state. */
export function agentScope(agentId: string): string {
  return `agent:${agentId}`;
}

const address = { scope: StateScopeSchema, key: StateKeySchema };

/** A state document and its version. */
export const StateEntrySchema = z.strictObject({
  scope: StateScopeSchema,
  key: StateKeySchema,
  version: StateVersionSchema,
  document: z.json(),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string(),
});

/** A state document and its version (see {@link StateEntrySchema}). */
export type StateEntry = z.infer<typeof StateEntrySchema>;

/** What a write returns: the version it created. */
export const StateWriteResultSchema = z.strictObject({
  version: StateVersionSchema,
  updatedAt: z.iso.datetime(),
});

/** The version a write created (see {@link StateWriteResultSchema}). */
export type StateWriteResult = z.infer<typeof StateWriteResultSchema>;

/** `<ns>.v1.state.get`: the current document, or `E_NOT_FOUND` (also once deleted). */
export const StateGetRpc = defineRpc('get', z.strictObject(address), StateEntrySchema);

/**
 * `<ns>.v1.state.put`: replaces the document. `expectedVersion` 0 means "must not exist" (or
 * was deleted); a stale one is `E_CONFLICT` with `details { currentVersion, document }` unless
 * the scope's conflict policy is `last-writer-wins`.
 */
export const StatePutRpc = defineRpc(
  'put',
  z.strictObject({ ...address, expectedVersion: StateVersionSchema, document: z.json() }),
  StateWriteResultSchema,
);

/**
 * `<ns>.v1.state.patch`: applies a JSON Merge Patch (RFC 7386) to the document at
 * `expectedVersion` (0: to an absent document, which starts as `{}`). Under the `merge` policy a
 * stale patch is re-applied on the current document when it touches no top-level key changed
 * since `expectedVersion`.
 */
export const StatePatchRpc = defineRpc(
  'patch',
  z.strictObject({ ...address, expectedVersion: StateVersionSchema, patch: z.json() }),
  StateWriteResultSchema,
);

/** `<ns>.v1.state.delete`: records a tombstone version; a later put continues from it. */
export const StateDeleteRpc = defineRpc(
  'delete',
  z.strictObject({ ...address, expectedVersion: StateVersionSchema.min(1) }),
  StateWriteResultSchema,
);

/** The operations history records. */
export const StateOps = ['put', 'patch', 'delete'] as const;

/** One of {@link StateOps}. */
export type StateOp = (typeof StateOps)[number];

/** One version of a key as history keeps it (`document` is null for a delete). */
export const StateHistoryEntrySchema = z.strictObject({
  version: StateVersionSchema,
  op: z.enum(StateOps),
  document: z.json().nullable(),
  at: z.iso.datetime(),
  by: z.string(),
});

/** One kept version of a key (see {@link StateHistoryEntrySchema}). */
export type StateHistoryEntry = z.infer<typeof StateHistoryEntrySchema>;

/** `<ns>.v1.state.history`: kept versions, newest first; pass `nextCursor` for older ones. */
export const StateHistoryRpc = defineRpc(
  'history',
  z.strictObject({
    ...address,
    limit: z.int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d+$/).optional(),
  }),
  z.strictObject({ items: z.array(StateHistoryEntrySchema), nextCursor: z.string().nullable() }),
);

/** A page of a key's history (see {@link StateHistoryRpc}). */
export type StateHistoryPage = z.infer<typeof StateHistoryRpc.response>;

/** `<ns>.v1.state.version`: one past version, or `E_NOT_FOUND` (never written or swept). */
export const StateVersionRpc = defineRpc(
  'version',
  z.strictObject({ ...address, version: StateVersionSchema.min(1) }),
  StateHistoryEntrySchema,
);

/**
 * `<ns>.v1.state.watch`: checks that the caller may read `scope` (`E_FORBIDDEN` otherwise) and
 * echoes it. The state service keeps no watch: the gateway asks it before it forwards the
 * scope's `evt.state.changed` events to a connection.
 */
export const StateWatchRpc = defineRpc(
  'watch',
  z.strictObject({ scope: StateScopeSchema }),
  z.strictObject({ scope: StateScopeSchema }),
);

/** One current key of a scope and its version, without the document. */
export const StateSummaryItemSchema = z.strictObject({
  key: StateKeySchema,
  version: StateVersionSchema,
  updatedAt: z.iso.datetime(),
});

/** One current key of a scope and its version (see {@link StateSummaryItemSchema}). */
export type StateSummaryItem = z.infer<typeof StateSummaryItemSchema>;

/**
 * The current (not deleted) keys of a scope with their versions, most recently written first;
 * `truncated` when the scope holds more keys than were listed.
 */
export const StateSummarySchema = z.strictObject({
  scope: StateScopeSchema,
  items: z.array(StateSummaryItemSchema),
  truncated: z.boolean(),
});

/** A scope's current keys and versions (see {@link StateSummarySchema}). */
export type StateSummary = z.infer<typeof StateSummarySchema>;

/**
 * `<ns>.v1.state.summary`: the current keys of a scope with their versions, never documents,
 * most recently written first, at most `limit`. Authorized like a read of the scope.
 */
export const StateSummaryRpc = defineRpc(
  'summary',
  z.strictObject({ scope: StateScopeSchema, limit: z.int().min(1).max(1000).default(100) }),
  StateSummarySchema,
);

/** An agent's lifecycle status and its version (grows with every transition). */
export const LifecycleRecordSchema = z.strictObject({
  agentId: AgentIdSchema,
  status: z.enum(LifecycleStatuses),
  version: StateVersionSchema,
  updatedAt: z.iso.datetime(),
});

/** An agent's lifecycle status and its version (see {@link LifecycleRecordSchema}). */
export type LifecycleRecord = z.infer<typeof LifecycleRecordSchema>;

/** `<ns>.v1.state.lifecycle.get`: an agent's status (`registered` at version 0 when unknown). */
export const LifecycleGetRpc = defineRpc(
  'lifecycle.get',
  z.strictObject({ agentId: AgentIdSchema }),
  LifecycleRecordSchema,
);

/** `<ns>.v1.state.lifecycle.transition`: moves an agent on, or `E_INVALID_TRANSITION`. */
export const LifecycleTransitionRpc = defineRpc(
  'lifecycle.transition',
  z.strictObject({
    agentId: AgentIdSchema,
    to: z.enum(LifecycleStatuses),
    reason: z.string().max(512).optional(),
  }),
  LifecycleRecordSchema,
);

/** One recorded transition. */
export const LifecycleHistoryEntrySchema = z.strictObject({
  version: StateVersionSchema,
  from: z.enum(LifecycleStatuses),
  to: z.enum(LifecycleStatuses),
  reason: z.string().nullable(),
  at: z.iso.datetime(),
  by: z.string(),
});

/** `<ns>.v1.state.lifecycle.history`: transitions, newest first, paged by `nextCursor`. */
export const LifecycleHistoryRpc = defineRpc(
  'lifecycle.history',
  z.strictObject({
    agentId: AgentIdSchema,
    limit: z.int().min(1).max(500).default(50),
    cursor: z.string().regex(/^\d+$/).optional(),
  }),
  z.strictObject({
    items: z.array(LifecycleHistoryEntrySchema),
    nextCursor: z.string().nullable(),
  }),
);
