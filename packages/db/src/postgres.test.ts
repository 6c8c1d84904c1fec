import { afterAll, describe, expect, it } from 'vitest';
import { connectPostgres } from './postgres.ts';
import { scratchDatabase } from './test-database.test-helper.ts';

const database = scratchDatabase();
const settings = { url: database.url, poolMax: 2, connectTimeoutMs: 2000 };

afterAll(() => database.drop());

describe('connectPostgres', () => {
  it('creates the database on first connect, even with two services starting at once', async () => {
    const [first, second] = await Promise.all([
      connectPostgres(settings, 'test-a'),
      connectPostgres(settings, 'test-b'),
    ]);
    const [row] = await first.sql<{ name: string }[]>`select current_database() as name`;
    expect(row?.name).toBe(database.name);
    await expect(second.ping()).resolves.toBeUndefined();
    await Promise.all([first.close(), second.close()]);
    await first.close();
  });

  it('fails with E_UNAVAILABLE naming the address and how to start Postgres', async () => {
    const error = await connectPostgres(
      {
        url: 'postgres://postgres:secret@127.0.0.1:1/switchboard',
        poolMax: 1,
        connectTimeoutMs: 1000,
      },
      'test',
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'E_UNAVAILABLE',
      details: { dependency: 'Postgres', address: '127.0.0.1:1/switchboard' },
    });
    expect((error as Error).message).toContain('pg_ctlcluster');
    expect((error as Error).message).not.toContain('secret');
  });
});
