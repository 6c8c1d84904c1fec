import { z } from 'zod';
import { AgentIdSchema } from './frames/agent.ts';
import { defineRpc } from './rpc.ts';
import {
  ToolArgumentsSchema,
  ToolAuditRecordSchema,
  ToolCallOutcomes,
  ToolCallResultSchema,
  ToolDefinitionSchema,
  ToolFiguresSchema,
  ToolGroupSchema,
  ToolNameSchema,
  ToolOutcomeSchema,
  ToolRecordSchema,
  ToolRegistrationOutcomes,
  ToolTagSchema,
  ToolVersionRangeSchema,
  ToolVersionSchema,
  UpstreamNameSchema,
  UpstreamServerSchema,
} from './tools.ts';

/** Most definitions one registration carries. */
export const MAX_TOOLS_PER_REGISTRATION = 100;

/** Most tools one catalog page holds. */
export const MAX_TOOLS_PAGE = 500;

/** Longest timeout a tool call may ask for, in ms (the registry's own limit may be lower). */
export const MAX_TOOL_TIMEOUT_MS = 3_600_000;

/**
 * How much longer than a call's `timeoutMs` the hops in front of the registry (gateway, SDK)
 * wait, in ms, so that the registry's own `E_TIMEOUT` (or late result) reaches the caller.
 */
export const TOOL_CALL_GRACE_MS = 2000;

/**
 * `<ns>.v1.tools.register`: the calling agent provides these tool versions. A new name@version
 * is created; the same definition registered by another agent adds it as a provider; a different
 * definition under an existing name@version is `E_CONFLICT`. Schemas that are not valid JSON
 * Schemas are `E_VALIDATION`.
 */
export const ToolsRegisterRpc = defineRpc(
  'register',
  z.strictObject({
    tools: z.array(ToolDefinitionSchema).min(1).max(MAX_TOOLS_PER_REGISTRATION),
  }),
  z.strictObject({
    items: z.array(
      z.strictObject({
        name: ToolNameSchema,
        version: ToolVersionSchema,
        outcome: z.enum(ToolRegistrationOutcomes),
      }),
    ),
  }),
);

/**
 * `<ns>.v1.tools.list`: one entry per tool the caller may list, at its default version (latest
 * stable, not deprecated), ordered by name; `tag` narrows to tools with that tag.
 */
export const ToolsListRpc = defineRpc(
  'list',
  z.strictObject({
    tag: ToolTagSchema.optional(),
    limit: z.int().min(1).max(MAX_TOOLS_PAGE).default(100),
    /** `nextCursor` of the previous page. */
    cursor: z.string().min(1).max(256).optional(),
  }),
  z.strictObject({ items: z.array(ToolRecordSchema), nextCursor: z.string().nullable() }),
);

/**
 * `<ns>.v1.tools.get`: the version of `name` that `range` resolves to (default: latest stable,
 * deprecated versions only when the range names them exactly); `E_NOT_FOUND` when none matches.
 */
export const ToolsGetRpc = defineRpc(
  'get',
  z.strictObject({ name: ToolNameSchema, range: ToolVersionRangeSchema.optional() }),
  ToolRecordSchema,
);

/** `<ns>.v1.tools.versions`: every version of `name` ever registered, newest first. */
export const ToolsVersionsRpc = defineRpc(
  'versions',
  z.strictObject({ name: ToolNameSchema }),
  z.strictObject({ items: z.array(ToolRecordSchema) }),
);

/** `<ns>.v1.tools.deprecate`: marks a version deprecated (operator scope `tools:write`). */
export const ToolsDeprecateRpc = defineRpc(
  'deprecate',
  z.strictObject({
    name: ToolNameSchema,
    version: ToolVersionSchema,
    reason: z.string().min(1).max(1024).optional(),
  }),
  ToolRecordSchema,
);

/** `<ns>.v1.tools.retire`: a version stops being callable; history keeps it (`tools:write`). */
export const ToolsRetireRpc = defineRpc(
  'retire',
  z.strictObject({ name: ToolNameSchema, version: ToolVersionSchema }),
  ToolRecordSchema,
);

/**
 * `<ns>.v1.tools.call`: calls the version `range` resolves to with `arguments` (checked against
 * its input schema: `E_VALIDATION` with the failing path), on one of its connected providers,
 * within `timeoutMs` (`E_TIMEOUT`). A result that breaks the output schema is `E_INTERNAL`; a
 * provider gone mid-call is `E_UNAVAILABLE`; the tool's own failure keeps its code.
 */
export const ToolsCallRpc = defineRpc(
  'call',
  z.strictObject({
    name: ToolNameSchema,
    range: ToolVersionRangeSchema.optional(),
    arguments: ToolArgumentsSchema.default({}),
    timeoutMs: z.int().min(1).max(MAX_TOOL_TIMEOUT_MS).optional(),
  }),
  ToolCallResultSchema,
);

/**
 * `<ns>.v1.gw.<gatewayId>.call` (subject from `subjects(ns).gatewayCall(id)`): the gateway
 * holding `agentId` writes a `tool.call` frame to it and answers with its `tool.result`;
 * `E_UNAVAILABLE` at once when the agent is not connected there or its socket closes first.
 */
export const GatewayToolCallRpc = defineRpc(
  'tool.call',
  z.strictObject({
    agentId: AgentIdSchema,
    callId: z.string().min(1).max(128),
    name: ToolNameSchema,
    version: ToolVersionSchema,
    arguments: ToolArgumentsSchema,
    /** When the registry stops waiting (ISO time); the gateway forgets the call then. */
    deadline: z.iso.datetime(),
  }),
  ToolOutcomeSchema,
);

/**
 * `<ns>.v1.tools.import`: imports the tools of the upstream MCP server at `url` (Streamable
 * HTTP, whichever revision it speaks) as `<name>.<tool>`, and keeps them in sync (on its list
 * changes, or by polling). A URL that reaches a private network is `E_FORBIDDEN` (SSRF); an
 * unreachable server `E_UNAVAILABLE`. Importing a name again replaces its URL. Operator scope
 * `tools:write`.
 */
export const ToolsImportRpc = defineRpc(
  'import',
  z.strictObject({ name: UpstreamNameSchema, url: z.url() }),
  z.strictObject({
    server: UpstreamServerSchema,
    tools: z.array(z.strictObject({ name: ToolNameSchema, version: ToolVersionSchema })),
  }),
);

/**
 * `<ns>.v1.tools.a2a.publish`: publishes an A2A peer's skills as tools (the a2a-peer calls it
 * for an operator who registered the peer with `publishTools`); the list replaces what the peer
 * provided before, so an empty list withdraws them. Operator scope `tools:write`.
 */
export const ToolsA2aPublishRpc = defineRpc(
  'a2a.publish',
  z.strictObject({
    peer: z.string().min(1).max(64),
    tools: z
      .array(
        z.strictObject({ definition: ToolDefinitionSchema, skill: z.string().min(1).max(256) }),
      )
      .max(MAX_TOOLS_PER_REGISTRATION),
  }),
  z.strictObject({
    tools: z.array(z.strictObject({ name: ToolNameSchema, version: ToolVersionSchema })),
  }),
);

/** `<ns>.v1.tools.upstreams`: the imported upstream MCP servers (operator scope `tools:read`). */
export const ToolsUpstreamsRpc = defineRpc(
  'upstreams',
  z.strictObject({}),
  z.strictObject({ items: z.array(UpstreamServerSchema) }),
);

/** Most audit records one page holds. */
export const MAX_AUDIT_PAGE = 1000;

/**
 * `<ns>.v1.tools.audit`: audited calls, newest first, filtered (operator scope `tools:read`);
 * pass `nextCursor` for older ones.
 */
export const ToolsAuditRpc = defineRpc(
  'audit',
  z.strictObject({
    name: ToolNameSchema.optional(),
    caller: z.string().min(1).max(256).optional(),
    outcome: z.enum(ToolCallOutcomes).optional(),
    since: z.iso.datetime().optional(),
    until: z.iso.datetime().optional(),
    limit: z.int().min(1).max(MAX_AUDIT_PAGE).default(100),
    cursor: z.string().min(1).max(256).optional(),
  }),
  z.strictObject({ items: z.array(ToolAuditRecordSchema), nextCursor: z.string().nullable() }),
);

/**
 * `<ns>.v1.tools.figures`: per tool version calls, errors, timeouts, latency percentiles, last
 * success and health (operator scope `tools:read`); every version that was called when no name
 * is given.
 */
export const ToolsFiguresRpc = defineRpc(
  'figures',
  z.strictObject({ name: ToolNameSchema.optional(), version: ToolVersionSchema.optional() }),
  z.strictObject({ items: z.array(ToolFiguresSchema) }),
);

/**
 * `<ns>.v1.tools.search`: the tools the caller may list, ranked by how well `query` matches
 * their names, tags, descriptions and schemas, narrowed to those with every tag in `tags`.
 */
export const ToolsSearchRpc = defineRpc(
  'search',
  z.strictObject({
    query: z.string().max(512).optional(),
    tags: z.array(ToolTagSchema).max(16).optional(),
    limit: z.int().min(1).max(100).default(20),
  }),
  z.strictObject({
    items: z.array(z.strictObject({ tool: ToolRecordSchema, score: z.number() })),
  }),
);

/** `<ns>.v1.tools.groups.set`: creates or replaces a tool group (operator scope `tools:write`). */
export const ToolsGroupSetRpc = defineRpc(
  'groups.set',
  ToolGroupSchema.omit({ updatedAt: true }).extend({
    description: ToolGroupSchema.shape.description.default(''),
  }),
  ToolGroupSchema,
);

/** `<ns>.v1.tools.groups.list`: every tool group, by name. */
export const ToolsGroupsRpc = defineRpc(
  'groups.list',
  z.strictObject({}),
  z.strictObject({ items: z.array(ToolGroupSchema) }),
);

/** `<ns>.v1.tools.groups.delete`: removes a tool group (operator scope `tools:write`). */
export const ToolsGroupDeleteRpc = defineRpc(
  'groups.delete',
  z.strictObject({ name: ToolGroupSchema.shape.name }),
  z.strictObject({ removed: z.boolean() }),
);
