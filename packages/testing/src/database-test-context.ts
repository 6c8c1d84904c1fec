import { connectPostgres, type Database } from '@switchboard/db';
import { createTestContext, type TestContext } from './test-context.ts';

/** A test context with a Postgres pool of the file's own on the context's database. */
export interface DatabaseTestContext {
  context: TestContext;
  database: Database;
  /**
   * Closes the pool (1000 ms of grace for running queries), then cleans up the context even
   * when closing failed. Call it once in `afterAll`; calling again does nothing more.
   */
  cleanup(): Promise<void>;
}

/** Pool settings of a test's own pool; the defaults are what most tests use. */
export interface DatabaseTestContextOptions {
  /** Connections in the pool (default 4): more when the test holds reserved connections. */
  poolMax?: number;
  /** How long connecting may take before it fails (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * Creates a test context and opens a pool named `name` (its Postgres `application_name`) on
 * its database. If the pool cannot be opened, the context is cleaned up before the error is
 * thrown, so a file's `afterAll` only needs `await world?.cleanup()`.
 */
export async function createDatabaseTestContext(
  name: string,
  options: DatabaseTestContextOptions = {},
): Promise<DatabaseTestContext> {
  const context = await createTestContext();
  let database: Database;
  try {
    database = await connectPostgres(
      {
        url: context.database.url,
        poolMax: options.poolMax ?? 4,
        connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      },
      name,
    );
  } catch (error) {
    // The connect error is the one that explains the failure; a cleanup error must not hide it.
    await context.cleanup().catch(() => {});
    throw error;
  }
  let cleaned: Promise<void> | undefined;
  return {
    context,
    database,
    cleanup: () => {
      cleaned ??= (async () => {
        try {
          await database.close(1000);
        } finally {
          await context.cleanup();
        }
      })();
      return cleaned;
    },
  };
}
