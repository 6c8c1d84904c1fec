import { type Database, isoOf } from '@switchboard/db';
import type { UpstreamServer } from '@switchboard/protocol';

interface UpstreamRow {
  name: string;
  url: string;
  protocol_version: string | null;
  list_changed: boolean;
  last_synced_at: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  tool_count: string | number;
}

function serverOf(row: UpstreamRow): UpstreamServer {
  return {
    name: row.name,
    url: row.url,
    protocolVersion: row.protocol_version,
    listChanged: row.list_changed,
    toolCount: Number(row.tool_count),
    lastSyncedAt: row.last_synced_at === null ? null : isoOf(row.last_synced_at),
    lastError: row.last_error,
    createdAt: isoOf(row.created_at),
  };
}

/** The imported upstream MCP servers in the `tools` schema. */
export function createUpstreamStore(database: Database) {
  const { sql } = database;

  async function all(): Promise<UpstreamServer[]> {
    const rows = await sql<UpstreamRow[]>`
      SELECT s.*, (SELECT count(*) FROM tools.tool_providers p
                   WHERE p.kind = 'mcp' AND p.provider_id = s.name) AS tool_count
      FROM tools.upstream_servers s ORDER BY s.name`;
    return rows.map(serverOf);
  }

  return {
    all,

    async get(name: string): Promise<UpstreamServer | undefined> {
      return (await all()).find((server) => server.name === name);
    },

    /** Records (or re-points) an upstream server. */
    async save(name: string, url: string): Promise<void> {
      await sql`
        INSERT INTO tools.upstream_servers (name, url) VALUES (${name}, ${url})
        ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url`;
    },

    /** Records how the last sync went (an error message, or null after a success). */
    async synced(
      name: string,
      outcome: {
        protocolVersion?: string | undefined;
        listChanged?: boolean;
        error: string | null;
      },
    ): Promise<void> {
      await sql`
        UPDATE tools.upstream_servers SET
          protocol_version = coalesce(${outcome.protocolVersion ?? null}, protocol_version),
          list_changed = coalesce(${outcome.listChanged ?? null}::boolean, list_changed),
          last_error = ${outcome.error},
          last_synced_at = CASE WHEN ${outcome.error}::text IS NULL THEN now() ELSE last_synced_at END
        WHERE name = ${name}`;
    },
  };
}

/** The upstream server store (see {@link createUpstreamStore}). */
export type UpstreamStore = ReturnType<typeof createUpstreamStore>;
