import { type Database, isoOf } from '@switchboard/db';
import {
  SbError,
  type ToolDefinition,
  type ToolProvider,
  type ToolRecord,
  type ToolRegistrationOutcome,
  type ToolVersionStatus,
} from '@switchboard/protocol';
import { definitionHash } from '../domain/definition-hash.ts';

interface VersionRow {
  name: string;
  version: string;
  description: string;
  input_schema: ToolRecord['inputSchema'];
  output_schema: ToolRecord['outputSchema'] | null;
  tags: string[];
  definition_hash: string;
  status: ToolVersionStatus;
  deprecation_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  providers: Array<{
    kind: 'agent' | 'mcp' | 'a2a';
    providerId: string;
    upstreamName: string | null;
    registeredAt: string;
  }>;
}

/**
 * A provider outside the mesh: an upstream MCP server (the tool's name there) or an A2A peer
 * (the skill the tool stands for).
 */
export interface UpstreamProvider {
  kind: 'mcp' | 'a2a';
  server: string;
  upstreamName: string;
}

/**
 * A catalog entry, the hash of its definition (the key of its compiled validators) and the
 * upstream servers that provide it.
 */
export interface CatalogEntry {
  record: ToolRecord;
  hash: string;
  upstreams: UpstreamProvider[];
}

function providerOf(row: VersionRow['providers'][number]): ToolProvider {
  const registeredAt = isoOf(row.registeredAt);
  switch (row.kind) {
    case 'agent':
      return { kind: 'agent', agentId: row.providerId, registeredAt };
    case 'mcp':
      return { kind: 'mcp', serverId: row.providerId, registeredAt };
    default:
      return { kind: 'a2a', peer: row.providerId, registeredAt };
  }
}

function entryOf(row: VersionRow): CatalogEntry {
  return {
    hash: row.definition_hash,
    upstreams: row.providers.flatMap((provider) =>
      provider.kind !== 'agent' && provider.upstreamName !== null
        ? [
            {
              kind: provider.kind,
              server: provider.providerId,
              upstreamName: provider.upstreamName,
            },
          ]
        : [],
    ),
    record: {
      name: row.name,
      version: row.version,
      description: row.description,
      inputSchema: row.input_schema,
      ...(row.output_schema === null ? {} : { outputSchema: row.output_schema }),
      tags: row.tags,
      status: row.status,
      deprecationReason: row.deprecation_reason,
      createdAt: isoOf(row.created_at),
      updatedAt: isoOf(row.updated_at),
      providers: row.providers.map(providerOf),
    },
  };
}

/** The tool catalog in the `tools` schema: versions, their definitions, status and providers. */
export function createCatalogStore(database: Database) {
  const { sql } = database;

  /** Every version of the named tools, with providers. */
  async function versionsOf(names: readonly string[]): Promise<CatalogEntry[]> {
    if (names.length === 0) return [];
    const rows = await sql<VersionRow[]>`
      SELECT v.*, coalesce((
        SELECT jsonb_agg(jsonb_build_object(
          'kind', p.kind, 'providerId', p.provider_id, 'upstreamName', p.upstream_name,
          'registeredAt', p.registered_at
        ) ORDER BY p.registered_at, p.provider_id)
        FROM tools.tool_providers p WHERE p.name = v.name AND p.version = v.version
      ), '[]'::jsonb) AS providers
      FROM tools.tool_versions v
      WHERE v.name IN (SELECT jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`;
    return rows.map(entryOf);
  }

  return {
    versionsOf,

    /**
     * Records `providerId` (an agent) as a provider of each definition, creating the versions that
     * are new, all or nothing.
     * @throws SbError `E_CONFLICT` when a name@version exists with a different definition.
     */
    async register(
      kind: 'agent' | 'mcp',
      providerId: string,
      definitions: readonly ToolDefinition[],
    ): Promise<Array<{ name: string; version: string; outcome: ToolRegistrationOutcome }>> {
      const rows = definitions.map((definition) => ({
        name: definition.name,
        version: definition.version,
        description: definition.description,
        input_schema: definition.inputSchema,
        output_schema: definition.outputSchema ?? null,
        tags: [...new Set(definition.tags)].sort(),
        definition_hash: definitionHash(definition),
      }));
      const json = JSON.stringify(rows);
      return sql.begin(async (tx) => {
        const created = await tx<Array<{ name: string; version: string }>>`
          INSERT INTO tools.tool_versions
            (name, version, description, input_schema, output_schema, tags, definition_hash)
          SELECT name, version, description, input_schema, output_schema, tags, definition_hash
          FROM jsonb_to_recordset(${json}::jsonb) AS t(
            name text, version text, description text, input_schema jsonb, output_schema jsonb,
            tags jsonb, definition_hash text)
          ON CONFLICT (name, version) DO NOTHING
          RETURNING name, version`;
        const conflicts = await tx<Array<{ name: string; version: string }>>`
          SELECT v.name, v.version FROM tools.tool_versions v
          JOIN jsonb_to_recordset(${json}::jsonb) AS t(name text, version text, definition_hash text)
            ON t.name = v.name AND t.version = v.version
          WHERE v.definition_hash <> t.definition_hash`;
        if (conflicts.length > 0) {
          const named = conflicts.map((row) => `${row.name}@${row.version}`).join(', ');
          throw new SbError(
            'E_CONFLICT',
            `${named} is already registered with a different definition; publish the change under a new version`,
            { details: { tools: conflicts } },
          );
        }
        const added = await tx<Array<{ name: string; version: string }>>`
          INSERT INTO tools.tool_providers (name, version, kind, provider_id)
          SELECT name, version, ${kind}, ${providerId}
          FROM jsonb_to_recordset(${json}::jsonb) AS t(name text, version text)
          ON CONFLICT DO NOTHING
          RETURNING name, version`;
        const key = (row: { name: string; version: string }) => `${row.name}@${row.version}`;
        const createdKeys = new Set(created.map(key));
        const addedKeys = new Set(added.map(key));
        return rows.map((row) => ({
          name: row.name,
          version: row.version,
          outcome: createdKeys.has(key(row))
            ? 'created'
            : addedKeys.has(key(row))
              ? 'provider_added'
              : 'unchanged',
        }));
      });
    },

    /**
     * Names of tools with a version that is not retired, ordered, after `after`, at most `limit`;
     * with `tag`, only tools with a version carrying it.
     */
    async names(options: { after?: string; limit: number; tag?: string }): Promise<string[]> {
      const rows = await sql<Array<{ name: string }>>`
        SELECT DISTINCT name FROM tools.tool_versions
        WHERE status <> 'retired'
          AND name > ${options.after ?? ''}
          AND (${options.tag ?? null}::text IS NULL OR tags @> jsonb_build_array(${options.tag ?? null}::text))
        ORDER BY name LIMIT ${options.limit}`;
      return rows.map((row) => row.name);
    },

    /** Sets a version's status (and deprecation reason); undefined when there is no such version. */
    async setStatus(
      name: string,
      version: string,
      status: ToolVersionStatus,
      reason: string | null,
    ): Promise<CatalogEntry | undefined> {
      const updated = await sql`
        UPDATE tools.tool_versions
        SET status = ${status}, deprecation_reason = ${reason}, updated_at = now()
        WHERE name = ${name} AND version = ${version}
        RETURNING name`;
      if (updated.length === 0) return undefined;
      const [entry] = (await versionsOf([name])).filter((e) => e.record.version === version);
      return entry;
    },
  };
}

/** The catalog store (see {@link createCatalogStore}). */
export type CatalogStore = ReturnType<typeof createCatalogStore>;
