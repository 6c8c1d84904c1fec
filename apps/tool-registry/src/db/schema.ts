import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** Every table of the tool registry lives in the `tools` Postgres schema. */
export const toolsSchema = pgSchema('tools');

/**
 * One version of one tool: its definition (catalog data, not a payload: jsonb), the hash that
 * tells a re-registration of the same definition from a conflicting one, and its status
 * (`active`, `deprecated`, `retired`). Rows are never deleted: they are the version history.
 */
export const toolVersions = toolsSchema.table(
  'tool_versions',
  {
    name: text().notNull(),
    version: text().notNull(),
    description: text().notNull(),
    inputSchema: jsonb().notNull(),
    outputSchema: jsonb(),
    tags: jsonb().notNull().default(sql`'[]'::jsonb`),
    definitionHash: text().notNull(),
    status: text().notNull().default('active'),
    deprecationReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.name, table.version] }),
    index('tool_versions_tags_idx').using('gin', table.tags),
  ],
);

/**
 * Who executes a tool version: `agent` (provider id: the agent id) or `mcp` (an imported
 * upstream server). An agent stays a provider while disconnected; calls go only to connected ones.
 */
export const toolProviders = toolsSchema.table(
  'tool_providers',
  {
    name: text().notNull(),
    version: text().notNull(),
    kind: text().notNull(),
    providerId: text().notNull(),
    /** For an `mcp` provider: the tool's name on the upstream server. */
    upstreamName: text(),
    registeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.name, table.version, table.kind, table.providerId] }),
    foreignKey({
      columns: [table.name, table.version],
      foreignColumns: [toolVersions.name, toolVersions.version],
    }).onDelete('cascade'),
    index('tool_providers_provider_idx').on(table.kind, table.providerId),
  ],
);

/**
 * Upstream MCP servers whose tools were imported: where they are, the revision they speak,
 * whether they announce list changes (else they are polled), and how the last sync went.
 */
export const upstreamServers = toolsSchema.table('upstream_servers', {
  name: text().primaryKey(),
  url: text().notNull(),
  protocolVersion: text(),
  listChanged: boolean().notNull().default(false),
  lastSyncedAt: timestamp({ withTimezone: true }),
  lastError: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/**
 * The audit trail: one row per tool call (who, what, when, outcome, duration) with its
 * arguments as the redaction rule kept them, stored as a payload (DESIGN.md, Payloads). The
 * retention sweep deletes old rows.
 */
export const callAudit = toolsSchema.table(
  'call_audit',
  {
    id: text().primaryKey(),
    at: timestamp({ withTimezone: true }).notNull(),
    caller: text().notNull(),
    name: text().notNull(),
    version: text(),
    provider: text(),
    outcome: text().notNull(),
    errorCode: text(),
    durationMs: doublePrecision().notNull(),
    arguments: bytea(),
    codec: text().notNull().default('identity'),
    keyId: text(),
    nonce: bytea(),
    formatVersion: integer().notNull().default(1),
  },
  (table) => [
    index('call_audit_at_idx').on(table.at),
    index('call_audit_tool_idx').on(table.name, table.version, table.at),
    index('call_audit_caller_idx').on(table.caller, table.at),
  ],
);

/**
 * Totals per tool version since it was first called (the audit trail only keeps a retention
 * window): calls, errors, timeouts and the last success. Updated with each audit batch.
 */
export const toolFigures = toolsSchema.table(
  'tool_figures',
  {
    name: text().notNull(),
    version: text().notNull(),
    calls: bigint({ mode: 'number' }).notNull().default(0),
    errors: bigint({ mode: 'number' }).notNull().default(0),
    timeouts: bigint({ mode: 'number' }).notNull().default(0),
    lastSuccessAt: timestamp({ withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.name, table.version] })],
);

/** Named groups of tools (name patterns) that MCP clients load instead of the whole catalog. */
export const toolGroups = toolsSchema.table('tool_groups', {
  name: text().primaryKey(),
  description: text().notNull().default(''),
  tools: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
