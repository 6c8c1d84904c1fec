/** Where the local infrastructure of this machine listens (DESIGN.md, Where it runs). */
export const testInfra = {
  postgresUrl: process.env.SB_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.SB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  natsServers: process.env.SB_TEST_NATS_SERVERS ?? 'nats://127.0.0.1:4222',
};

/** Points `url` (any Postgres URL) at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
