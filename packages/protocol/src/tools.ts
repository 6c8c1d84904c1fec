import { z } from 'zod';
import { ErrorBodySchema } from './error-body.ts';
import { AgentIdSchema } from './frames/agent.ts';
import { SubjectPatternSchema } from './patterns.ts';

/**
 * A tool name: dot-separated tokens of letters, digits, `_` and `-` (`search.web`). Grants match
 * names as subject patterns, and MCP clients accept these characters in tool names.
 */
export const ToolNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(
    /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
    'use dot-separated tokens of letters, digits, _ and - (e.g. search.web)',
  );

// semver.org's recommended pattern (2.0.0): the registry compares versions with `semver`.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A semantic version (semver 2.0.0): `1.4.0`, `2.0.0-beta.1`. */
export const ToolVersionSchema = z
  .string()
  .max(64)
  .regex(SEMVER, 'use a semantic version such as 1.2.3 (semver.org)');

/** A semver range (`^1.2`, `>=1.0.0 <2`, `1.4.0`); the registry checks that it parses. */
export const ToolVersionRangeSchema = z.string().min(1).max(128);

/** A JSON Schema document (an object); the registry checks that it is a valid schema. */
export const JsonSchemaObjectSchema = z.record(z.string(), z.json());

/** A tag: a short lowercase word used to find tools. */
export const ToolTagSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'use lowercase letters, digits, _ . and -');

/**
 * What a provider registers: one version of one tool. `inputSchema` is a JSON Schema (2020-12)
 * of an object, as MCP requires; `outputSchema`, when given, is what every result must match.
 */
export const ToolDefinitionSchema = z.strictObject({
  name: ToolNameSchema,
  version: ToolVersionSchema,
  description: z.string().max(4096).default(''),
  inputSchema: JsonSchemaObjectSchema,
  outputSchema: JsonSchemaObjectSchema.optional(),
  tags: z.array(ToolTagSchema).max(32).default([]),
});

/** One version of one tool, as registered (see {@link ToolDefinitionSchema}). */
export type ToolDefinition = z.infer<typeof ToolDefinitionSchema>;

/** A definition as a provider writes it (defaults not yet filled in). */
export type ToolDefinitionInput = z.input<typeof ToolDefinitionSchema>;

/**
 * Where a tool version stands: `active`; `deprecated` (still callable, never picked by default);
 * `retired` (kept in history, no longer callable).
 */
export const ToolVersionStatuses = ['active', 'deprecated', 'retired'] as const;

/** One of {@link ToolVersionStatuses}. */
export type ToolVersionStatus = (typeof ToolVersionStatuses)[number];

/** Who executes a tool version: a connected agent, an imported upstream MCP server, an A2A peer. */
export const ToolProviderSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('agent'),
    agentId: AgentIdSchema,
    registeredAt: z.iso.datetime(),
  }),
  z.strictObject({
    kind: z.literal('mcp'),
    serverId: z.string().min(1).max(128),
    registeredAt: z.iso.datetime(),
  }),
  /** A remote A2A agent registered as a peer with `publishTools`: the tool is one of its skills. */
  z.strictObject({
    kind: z.literal('a2a'),
    peer: z.string().min(1).max(64),
    registeredAt: z.iso.datetime(),
  }),
]);

/** A provider of a tool version (see {@link ToolProviderSchema}). */
export type ToolProvider = z.infer<typeof ToolProviderSchema>;

/** A provider as people read it: `agent:<id>`, `mcp:<server>` or `a2a:<peer>`. */
export function providerLabel(provider: ToolProvider): string {
  switch (provider.kind) {
    case 'agent':
      return `agent:${provider.agentId}`;
    case 'mcp':
      return `mcp:${provider.serverId}`;
    default:
      return `a2a:${provider.peer}`;
  }
}

/** One version of a tool in the catalog: its definition, status and providers. */
export const ToolRecordSchema = ToolDefinitionSchema.extend({
  status: z.enum(ToolVersionStatuses),
  deprecationReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  providers: z.array(ToolProviderSchema),
});

/** One version of a tool in the catalog (see {@link ToolRecordSchema}). */
export type ToolRecord = z.infer<typeof ToolRecordSchema>;

/** How a registered definition compared with the catalog. */
export const ToolRegistrationOutcomes = ['created', 'provider_added', 'unchanged'] as const;

/** One of {@link ToolRegistrationOutcomes}. */
export type ToolRegistrationOutcome = (typeof ToolRegistrationOutcomes)[number];

/** The arguments of a tool call: a JSON object. */
export const ToolArgumentsSchema = z.record(z.string(), z.json());

/** The outcome of a tool call: the version that ran and what it returned. */
export const ToolCallResultSchema = z.strictObject({
  name: ToolNameSchema,
  version: ToolVersionSchema,
  result: z.json(),
});

/** The outcome of a tool call (see {@link ToolCallResultSchema}). */
export type ToolCallResult = z.infer<typeof ToolCallResultSchema>;

/** What a provider answered: a result, or the error its tool failed with. */
export const ToolOutcomeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), result: z.json() }),
  z.strictObject({ ok: z.literal(false), error: ErrorBodySchema }),
]);

/** What a provider answered (see {@link ToolOutcomeSchema}). */
export type ToolOutcome = z.infer<typeof ToolOutcomeSchema>;

/** An upstream MCP server's name: one token, the prefix of the names of the tools it provides. */
export const UpstreamNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'use letters, digits, _ and - (one token, e.g. github)');

/** An upstream MCP server whose tools the registry imported and keeps in sync. */
export const UpstreamServerSchema = z.strictObject({
  name: UpstreamNameSchema,
  url: z.url(),
  /** The revision it speaks (`2026-07-28`, `2025-11-25`, ...), once reached. */
  protocolVersion: z.string().nullable(),
  /** True when it announces list changes; otherwise the registry polls it. */
  listChanged: z.boolean(),
  toolCount: z.int().min(0),
  lastSyncedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

/** An imported upstream MCP server (see {@link UpstreamServerSchema}). */
export type UpstreamServer = z.infer<typeof UpstreamServerSchema>;

/**
 * How a tool call ended: `ok`; `error` (the provider failed, left, or broke its output schema);
 * `timeout`; `refused` (before any provider: bad arguments, no grant, unknown tool).
 */
export const ToolCallOutcomes = ['ok', 'error', 'timeout', 'refused'] as const;

/** One of {@link ToolCallOutcomes}. */
export type ToolCallOutcome = (typeof ToolCallOutcomes)[number];

/** One call in the audit trail: who called what, when, how it ended, and its arguments (redacted). */
export const ToolAuditRecordSchema = z.strictObject({
  id: z.string(),
  at: z.iso.datetime(),
  caller: z.string(),
  name: z.string(),
  /** The version that ran, or the range asked for when none resolved. */
  version: z.string().nullable(),
  /** `agent:<id>` or `mcp:<server>`; null when no provider was reached. */
  provider: z.string().nullable(),
  outcome: z.enum(ToolCallOutcomes),
  errorCode: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  /** As the redaction rule kept them (null: not kept). */
  arguments: z.json().nullable(),
});

/** One audited call (see {@link ToolAuditRecordSchema}). */
export type ToolAuditRecord = z.infer<typeof ToolAuditRecordSchema>;

/** The health of a tool version from its recent calls. */
export const ToolHealthStates = ['healthy', 'degraded', 'failing', 'unknown'] as const;

/** The figures of one tool version: totals, recent latency and health. */
export const ToolFiguresSchema = z.strictObject({
  name: ToolNameSchema,
  version: ToolVersionSchema,
  calls: z.int().min(0),
  errors: z.int().min(0),
  timeouts: z.int().min(0),
  /** Latency percentiles of the calls within the health window (null without any). */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  lastSuccessAt: z.iso.datetime().nullable(),
  health: z.enum(ToolHealthStates),
});

/** The figures of one tool version (see {@link ToolFiguresSchema}). */
export type ToolFigures = z.infer<typeof ToolFiguresSchema>;

/**
 * A named group of tools (name patterns, `github.*`), so that an MCP client with hundreds of
 * tools available loads only a few: `/mcp?group=<name>` lists only the group's tools.
 */
export const ToolGroupSchema = z.strictObject({
  name: UpstreamNameSchema,
  description: z.string().max(1024),
  tools: z.array(SubjectPatternSchema).min(1).max(256),
  updatedAt: z.iso.datetime(),
});

/** A named group of tools (see {@link ToolGroupSchema}). */
export type ToolGroup = z.infer<typeof ToolGroupSchema>;
