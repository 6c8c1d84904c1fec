import { GrantSchema, type RoleDefinition } from '@switchboard/authz';
import type { Database } from '@switchboard/db';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { roles } from './schema.ts';

const GrantsSchema = z.array(GrantSchema);

/** The custom roles (the built-in ones live in `@switchboard/authz`), by name. */
export function createRoleStore(database: Database) {
  const { db } = database;
  const toDefinition = (row: typeof roles.$inferSelect): RoleDefinition => ({
    name: row.name,
    // Stored by this store from validated input; parsed again so a bad row fails loudly here.
    grants: GrantsSchema.parse(row.grants),
  });

  return {
    /** Every custom role, by name. */
    async list(): Promise<RoleDefinition[]> {
      const rows = await db.select().from(roles).orderBy(asc(roles.name));
      return rows.map(toDefinition);
    },

    /** Creates role `name` or replaces its grants. */
    async put(role: RoleDefinition, updatedBy: string): Promise<RoleDefinition> {
      const [row] = await db
        .insert(roles)
        .values({ name: role.name, grants: role.grants, updatedBy })
        .onConflictDoUpdate({
          target: roles.name,
          set: { grants: role.grants, updatedBy, updatedAt: new Date() },
        })
        .returning();
      return toDefinition(row as typeof roles.$inferSelect);
    },

    /** Deletes role `name`; false when there was none. */
    async remove(name: string): Promise<boolean> {
      const deleted = await db.delete(roles).where(eq(roles.name, name)).returning();
      return deleted.length > 0;
    },
  };
}

/** The custom roles' store. */
export type RoleStore = ReturnType<typeof createRoleStore>;
