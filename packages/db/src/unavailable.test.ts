import { unavailableCodeOf } from '@switchboard/protocol';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres } from './postgres.ts';
import { scratchDatabase } from './test-database.test-helper.ts';

// The errors postgres.js really throws when Postgres goes away are the ones the services answer
// `E_UNAVAILABLE` for (packages/protocol, unavailable.ts recognises them by shape).

const database = scratchDatabase();
afterAll(() => database.drop());

describe('what postgres.js throws when Postgres is unreachable', () => {
  it('a refused connection', async () => {
    const sql = postgres('postgres://postgres@127.0.0.1:1/none', { max: 1, connect_timeout: 2 });
    const error = await sql`select 1`.catch((caught: unknown) => caught);
    await sql.end({ timeout: 1 });
    expect(unavailableCodeOf(error)).toBe('ECONNREFUSED');
  });

  it('a backend terminated by the server (as in a shutdown) under a running query', async () => {
    const db = await connectPostgres(
      { url: database.url, poolMax: 1, connectTimeoutMs: 2000 },
      't',
    );
    const admin = postgres(database.url, { max: 1, onnotice: () => undefined });
    try {
      const [own] = await db.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const sleeping = db.sql`select pg_sleep(30)`.catch((caught: unknown) => caught);
      await admin`select pg_sleep(0.2)`;
      // What a fast shutdown does to each backend: it sends SQLSTATE 57P01 (admin_shutdown) and
      // closes; postgres.js reports whichever of the two it reads first.
      await admin`select pg_terminate_backend(${own?.pid as number})`;
      expect(unavailableCodeOf(await sleeping)).toMatch(/^(SQLSTATE 57P01|CONNECTION_CLOSED)$/);
    } finally {
      await Promise.all([db.close(), admin.end({ timeout: 1 })]);
    }
  });

  it('a query on a pool that was ended', async () => {
    const sql = postgres(database.url, { max: 1 });
    await sql`select 1`.catch(() => undefined);
    await sql.end({ timeout: 1 });
    expect(unavailableCodeOf(await sql`select 1`.catch((caught: unknown) => caught))).toBe(
      'CONNECTION_ENDED',
    );
  });
});
