import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Services } from '@switchboard/protocol';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { testInfra, withDatabase } from './infra.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every service's migrations folder with the schema it migrates. */
function migrationSets() {
  return Object.entries(Services)
    .map(([short, { folder }]) => ({
      schema: short,
      folder: join(repoRoot, 'apps', folder, 'drizzle'),
    }))
    .filter((set) => existsSync(set.folder));
}

/** The template's name changes whenever a migration does, so a stale template is never used. */
function templateName(sets: ReturnType<typeof migrationSets>): string {
  const hash = createHash('sha256');
  for (const set of sets) {
    for (const file of readdirSync(set.folder)
      .filter((name) => name.endsWith('.sql'))
      .sort()) {
      hash
        .update(set.schema)
        .update(file)
        .update(readFileSync(join(set.folder, file)));
    }
  }
  return `sb_template_${hash.digest('hex').slice(0, 12)}`;
}

const TEMPLATE_LOCK = 7_700_000_001n;

/**
 * Creates the migrated template once per migration set. Test files start in parallel, so the
 * first takes an advisory lock and builds it under a temporary name, renamed when complete;
 * the others wait on the lock and find it done.
 */
async function ensureTemplate(admin: postgres.Sql): Promise<string> {
  const sets = migrationSets();
  const name = templateName(sets);
  const exists = async (db: string) =>
    (await admin`select 1 from pg_database where datname = ${db}`).length > 0;
  if (await exists(name)) return name;
  const lock = await admin.reserve();
  try {
    await lock`select pg_advisory_lock(${TEMPLATE_LOCK.toString()}::bigint)`;
    if (await exists(name)) return name;
    const building = `${name}_building`;
    await admin.unsafe(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${building}"`);
    // The template lock already serialises builders, so drizzle's lock-free migrate() is safe here.
    const sql = postgres(withDatabase(testInfra.postgresUrl, building), {
      max: 1,
      onnotice: () => {},
    });
    try {
      for (const set of sets) {
        await migrate(drizzle(sql), {
          migrationsFolder: set.folder,
          migrationsSchema: set.schema,
          migrationsTable: '__drizzle_migrations',
        });
      }
    } finally {
      await sql.end({ timeout: 1 });
    }
    await admin.unsafe(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    return name;
  } finally {
    await lock`select pg_advisory_unlock(${TEMPLATE_LOCK.toString()}::bigint)`;
    lock.release();
  }
}

/** A database of one test file. */
export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function createTestDatabase(name: string): Promise<TestDatabase> {
  const admin = postgres(testInfra.postgresUrl, { max: 2, onnotice: () => {} });
  try {
    const template = await ensureTemplate(admin);
    const database = `sb_test_${name}`;
    await admin.unsafe(`CREATE DATABASE "${database}" TEMPLATE "${template}"`);
    return {
      name: database,
      url: withDatabase(testInfra.postgresUrl, database),
      drop: async () => {
        const sql = postgres(testInfra.postgresUrl, { max: 1, onnotice: () => {} });
        try {
          await sql.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
    };
  } finally {
    await admin.end({ timeout: 1 });
  }
}
