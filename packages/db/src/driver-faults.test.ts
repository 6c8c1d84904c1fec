import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unavailableCodeOf } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from './postgres.ts';
import { scratchDatabase } from './test-database.test-helper.ts';

// postgres.js 3.4.9, as patched here (patches/postgres@3.4.9.patch, porsager/postgres#1154 and
// #1208): when the backend of a reserved connection (as a transaction holds one) dies, a query
// queued on it threw from a timer, killing the process, or waited forever. Each run is a child
// process, so a crash is an exit code and a hang a timeout, not a broken test runner; without the
// patch most runs crash and the rest hang.

const database = scratchDatabase();
beforeAll(async () => {
  // Creates the database.
  const db = await connectPostgres({ url: database.url, poolMax: 1, connectTimeoutMs: 2000 }, 't');
  await db.close();
});
afterAll(() => database.drop());

const RUNS = 5;

// Reserve a connection, terminate its backend from another, then query it twice.
const script = `
import postgres from 'postgres';
const url = process.env.DATABASE_URL;
const sql = postgres(url, { max: 2, onnotice: () => {} });
const killer = postgres(url, { max: 1, onnotice: () => {} });
const codeOf = (promise) => promise.then(() => 'ok', (error) => error.code);
const reserved = await sql.reserve();
const [{ pid }] = await reserved\`select pg_backend_pid() as pid\`;
await killer\`select pg_terminate_backend(\${pid})\`;
const first = await codeOf(reserved\`select 1\`);
const second = await codeOf(reserved\`select 1\`);
process.stdout.write(JSON.stringify({ first, second }));
await Promise.all([sql.end({ timeout: 1 }), killer.end({ timeout: 1 })]);
`;

describe('postgres.js when a reserved connection loses its backend', () => {
  it('rejects the queries on it as a closed connection: no crash, no hang', () => {
    for (let run = 0; run < RUNS; run += 1) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, DATABASE_URL: database.url },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(child.error, 'the child hung').toBeUndefined();
      expect(child.status, child.stderr).toBe(0);
      const { first, second } = JSON.parse(child.stdout) as { first: string; second: string };
      // Whichever the driver read first: Postgres's close (CONNECTION_CLOSED) or the reset.
      expect(unavailableCodeOf(Object.assign(new Error(), { code: first }))).toBeDefined();
      expect(second).toBe('CONNECTION_CLOSED');
    }
  });
});
