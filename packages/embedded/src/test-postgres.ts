import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { freePort } from './free-port.ts';

// Vitest global setup of `SB_MODE=embedded pnpm test`: one embedded Postgres for the whole run,
// in a temporary folder, where each test file still gets its own database from the migrated
// template (@switchboard/testing reads `SB_TEST_POSTGRES_URL`). Bus and cache are per file.

/** Starts the run's Postgres; resolves with what stops it and removes its folder. */
export async function setup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-test-postgres-'));
  const server = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    // Files run in parallel, each with pools for its services and its template clones.
    maxConnections: 400,
  });
  // Read by the test workers, which start after this.
  process.env.SB_TEST_POSTGRES_URL = server.url('postgres');
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
