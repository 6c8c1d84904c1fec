import { type Database, isoOf } from '@switchboard/db';
import type { ToolGroup } from '@switchboard/protocol';

interface GroupRow {
  name: string;
  description: string;
  tools: string[];
  updated_at: Date | string;
}

const groupOf = (row: GroupRow): ToolGroup => ({
  name: row.name,
  description: row.description,
  tools: row.tools,
  updatedAt: isoOf(row.updated_at),
});

/** Named tool groups in the `tools` schema. */
export function createGroupStore(database: Database) {
  const { sql } = database;
  return {
    async set(group: Omit<ToolGroup, 'updatedAt'>): Promise<ToolGroup> {
      const [row] = await sql<GroupRow[]>`
        INSERT INTO tools.tool_groups (name, description, tools)
        VALUES (${group.name}, ${group.description}, ${JSON.stringify(group.tools)}::jsonb)
        ON CONFLICT (name) DO UPDATE SET
          description = EXCLUDED.description, tools = EXCLUDED.tools, updated_at = now()
        RETURNING *`;
      return groupOf(row as GroupRow);
    },

    async all(): Promise<ToolGroup[]> {
      return (await sql<GroupRow[]>`SELECT * FROM tools.tool_groups ORDER BY name`).map(groupOf);
    },

    async get(name: string): Promise<ToolGroup | undefined> {
      const [row] = await sql<GroupRow[]>`SELECT * FROM tools.tool_groups WHERE name = ${name}`;
      return row === undefined ? undefined : groupOf(row);
    },

    async delete(name: string): Promise<boolean> {
      return (await sql`DELETE FROM tools.tool_groups WHERE name = ${name}`).count > 0;
    },
  };
}

/** The group store (see {@link createGroupStore}). */
export type GroupStore = ReturnType<typeof createGroupStore>;
