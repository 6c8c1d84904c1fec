import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { createDatabaseTestContext } from './database-test-context.ts';
import { testInfra } from './infra.ts';

async function databaseExists(name: string): Promise<boolean> {
  const admin = postgres(testInfra.postgresUrl, { max: 1 });
  try {
    return (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  } finally {
    await admin.end();
  }
}

describe('createDatabaseTestContext', () => {
  it("opens a named pool of the asked size on the context's database and cleans both up", async () => {
    const world = await createDatabaseTestContext('database-test-context-test', { poolMax: 3 });
    const { context, database } = world;
    const [row] = await database.sql<{ db: string; app: string }[]>`
      select current_database() as db, current_setting('application_name') as app`;
    expect(row).toEqual({ db: context.database.name, app: 'database-test-context-test' });
    expect(database.sql.options.max).toBe(3);

    await world.cleanup();
    await expect(database.ping()).rejects.toThrow();
    expect(await databaseExists(context.database.name)).toBe(false);
    // A second call (an afterAll after a test already cleaned up) does nothing more.
    await expect(world.cleanup()).resolves.toBeUndefined();
  });

  it('uses a pool of four by default', async () => {
    const world = await createDatabaseTestContext('database-test-context-default');
    try {
      expect(world.database.sql.options.max).toBe(4);
    } finally {
      await world.cleanup();
    }
  });
});
