import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_TABLE, runMigrations } from './migrate.ts';
import { connectPostgres } from './postgres.ts';
import { scratchDatabase } from './test-database.test-helper.ts';

const database = scratchDatabase();
let folder: string;

/** A drizzle migrations folder with two files, as drizzle-kit writes them. */
function writeMigrations(root: string): void {
  mkdirSync(join(root, 'meta'), { recursive: true });
  writeFileSync(join(root, '0000_init.sql'), 'CREATE SCHEMA IF NOT EXISTS "probe";');
  writeFileSync(
    join(root, '0001_items.sql'),
    'CREATE TABLE "probe"."items" ("id" integer PRIMARY KEY);\n--> statement-breakpoint\nINSERT INTO "probe"."items" VALUES (1);',
  );
  const entries = ['0000_init', '0001_items'].map((tag, idx) => ({
    idx,
    version: '7',
    when: 1_700_000_000_000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(
    join(root, 'meta/_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
}

beforeAll(async () => {
  const created = await connectPostgres(
    { url: database.url, poolMax: 1, connectTimeoutMs: 2000 },
    'test',
  );
  await created.close();
  folder = mkdtempSync(join(tmpdir(), 'sb-migrations-'));
  writeMigrations(folder);
});
afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  await database.drop();
});

describe('runMigrations', () => {
  it('applies each migration once when several replicas start together, and again is a no-op', async () => {
    const settings = { url: database.url, poolMax: 1, connectTimeoutMs: 2000 };
    const run = () =>
      runMigrations({
        settings,
        schema: 'probe',
        migrationsFolder: folder,
        applicationName: 'test',
      });
    await Promise.all([run(), run(), run()]);
    await run();
    const sql = postgres(database.url, { max: 1 });
    try {
      const items = await sql`select id from probe.items`;
      expect(items).toEqual([{ id: 1 }]);
      const applied = await sql.unsafe(
        `select count(*)::int as n from probe."${MIGRATIONS_TABLE}"`,
      );
      expect(applied[0]?.n).toBe(2);
    } finally {
      await sql.end();
    }
  });
});
