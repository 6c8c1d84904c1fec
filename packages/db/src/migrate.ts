import { createHash } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type PostgresSettings, postgresOptions } from './postgres.ts';

/** The table, inside the service's own schema, where drizzle records applied migrations. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/** A stable 64-bit advisory lock key for one service's migrations. */
function lockKey(schema: string): bigint {
  return createHash('sha256').update(`switchboard.migrate.${schema}`).digest().readBigInt64BE(0);
}

/**
 * Applies a service's drizzle migrations into its own schema. drizzle's `migrate()` takes no
 * lock (drizzle-orm#874), so two replicas starting at once would both apply the same files: a
 * session advisory lock on a single dedicated connection serialises them, and the second finds
 * nothing left to do.
 */
export async function runMigrations(options: {
  settings: PostgresSettings;
  schema: string;
  migrationsFolder: string;
  applicationName: string;
}): Promise<void> {
  const sql = postgres(options.settings.url, {
    ...postgresOptions(options.settings, options.applicationName),
    max: 1,
  });
  const key = lockKey(options.schema);
  try {
    await sql`select pg_advisory_lock(${key.toString()}::bigint)`;
    try {
      await migrate(drizzle(sql), {
        migrationsFolder: options.migrationsFolder,
        migrationsSchema: options.schema,
        migrationsTable: MIGRATIONS_TABLE,
      });
    } finally {
      await sql`select pg_advisory_unlock(${key.toString()}::bigint)`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
