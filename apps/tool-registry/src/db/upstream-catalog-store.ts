import type { Database } from '@switchboard/db';
import type { ToolDefinition } from '@switchboard/protocol';
import { definitionHash } from '../domain/definition-hash.ts';

/** How a sync with an upstream server changed the catalog. */
export interface UpstreamSyncChanges {
  registered: ToolKey[];
  updated: ToolKey[];
  providerAdded: ToolKey[];
  providerRemoved: ToolKey[];
}

/** A tool version's key. */
export interface ToolKey {
  name: string;
  version: string;
}

/** The catalog rows providers outside the mesh provide, mirrored from what they serve. */
export function createUpstreamCatalogStore(database: Database) {
  const { sql } = database;
  return {
    /**
     * Makes the catalog mirror what a provider outside the mesh serves now (an upstream MCP
     * server, or an A2A peer's skills): new versions are created, changed definitions replaced
     * (the provider is the authority on its tools), the provider added to them and removed from
     * the versions it no longer serves. `upstreamName` is the tool's name there (the skill id).
     */
    async syncProvider(
      kind: 'mcp' | 'a2a',
      server: string,
      tools: ReadonlyArray<{ definition: ToolDefinition; upstreamName: string }>,
    ): Promise<UpstreamSyncChanges> {
      const json = JSON.stringify(
        tools.map(({ definition, upstreamName }) => ({
          name: definition.name,
          version: definition.version,
          description: definition.description,
          input_schema: definition.inputSchema,
          output_schema: definition.outputSchema ?? null,
          tags: [...new Set(definition.tags)].sort(),
          definition_hash: definitionHash(definition),
          upstream_name: upstreamName,
        })),
      );
      return sql.begin(async (tx) => {
        const written = await tx<Array<ToolKey & { inserted: boolean }>>`
          INSERT INTO tools.tool_versions
            (name, version, description, input_schema, output_schema, tags, definition_hash)
          SELECT name, version, description, input_schema, output_schema, tags, definition_hash
          FROM jsonb_to_recordset(${json}::jsonb) AS t(
            name text, version text, description text, input_schema jsonb, output_schema jsonb,
            tags jsonb, definition_hash text)
          ON CONFLICT (name, version) DO UPDATE SET
            description = EXCLUDED.description, input_schema = EXCLUDED.input_schema,
            output_schema = EXCLUDED.output_schema, tags = EXCLUDED.tags,
            definition_hash = EXCLUDED.definition_hash, updated_at = now()
          WHERE tools.tool_versions.definition_hash <> EXCLUDED.definition_hash
          RETURNING name, version, (xmax = 0) AS inserted`;
        const added = await tx<ToolKey[]>`
          INSERT INTO tools.tool_providers (name, version, kind, provider_id, upstream_name)
          SELECT name, version, ${kind}, ${server}, upstream_name
          FROM jsonb_to_recordset(${json}::jsonb) AS t(name text, version text, upstream_name text)
          ON CONFLICT (name, version, kind, provider_id) DO UPDATE
            SET upstream_name = EXCLUDED.upstream_name
            WHERE tools.tool_providers.upstream_name IS DISTINCT FROM EXCLUDED.upstream_name
          RETURNING name, version`;
        const removed = await tx<ToolKey[]>`
          DELETE FROM tools.tool_providers p
          WHERE p.kind = ${kind} AND p.provider_id = ${server}
            AND NOT EXISTS (
              SELECT 1 FROM jsonb_to_recordset(${json}::jsonb) AS t(name text, version text)
              WHERE t.name = p.name AND t.version = p.version)
          RETURNING name, version`;
        const key = ({ name, version }: ToolKey) => ({ name, version });
        return {
          registered: written.filter((row) => row.inserted).map(key),
          updated: written.filter((row) => !row.inserted).map(key),
          providerAdded: added.map(key),
          providerRemoved: removed.map(key),
        };
      });
    },
  };
}

/** The upstream catalog store (see {@link createUpstreamCatalogStore}). */
export type UpstreamCatalogStore = ReturnType<typeof createUpstreamCatalogStore>;
