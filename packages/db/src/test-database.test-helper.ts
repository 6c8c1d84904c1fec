import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

// The db package sits below @switchboard/testing (which depends on it), so its tests make
// their own scratch database.
const adminUrl = process.env.SB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database name no other test file uses, its URL, and a way to drop it. */
export function scratchDatabase() {
  const name = `sb_test_db_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
