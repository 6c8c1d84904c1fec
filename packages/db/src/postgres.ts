import { resolveTls, type TlsSettings, unreachableError } from '@switchboard/config';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/** Connection settings, as the shared `postgres` config section holds them. */
export interface PostgresSettings {
  url: string;
  poolMax: number;
  connectTimeoutMs: number;
  tls?: TlsSettings | undefined;
}

/** A pool of connections to one database, with drizzle on top. */
export interface Database {
  /** The postgres.js pool, for queries drizzle does not express. */
  readonly sql: postgres.Sql;
  readonly db: PostgresJsDatabase;
  /** Resolves when a trivial query succeeds. */
  ping(): Promise<void>;
  /** Waits for running queries up to `timeoutMs`, then closes every connection. */
  close(timeoutMs?: number): Promise<void>;
}

const UNDEFINED_DATABASE = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/** postgres.js options shared by pools and one-off connections. */
export function postgresOptions(settings: PostgresSettings, applicationName: string) {
  const ssl = resolveTls('Postgres', settings.tls);
  return {
    max: settings.poolMax,
    connect_timeout: Math.max(1, Math.ceil(settings.connectTimeoutMs / 1000)),
    ...(ssl === undefined ? {} : { ssl }),
    connection: { application_name: applicationName },
    // Migrations emit "already exists, skipping" notices on every start.
    onnotice: () => {},
  };
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Host, port and database: what to show of a URL that may hold a password. */
function addressOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/**
 * Creates the database named in the URL when it does not exist yet, so a fresh Postgres needs
 * no manual step. Safe when several services start at once.
 */
async function createDatabase(settings: PostgresSettings, applicationName: string): Promise<void> {
  const target = new URL(settings.url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(settings.url);
  maintenance.pathname = '/postgres';
  const sql = postgres(maintenance.toString(), {
    ...postgresOptions(settings, applicationName),
    max: 1,
  });
  try {
    await sql.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    const code = pgCode(error);
    if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * Opens a pool and checks it with one query; fails with a clear `E_UNAVAILABLE` naming the
 * address when Postgres cannot be reached.
 */
export async function connectPostgres(
  settings: PostgresSettings,
  applicationName: string,
): Promise<Database> {
  const open = async () => {
    const sql = postgres(settings.url, postgresOptions(settings, applicationName));
    try {
      await sql`select 1`;
      return sql;
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw error;
    }
  };
  let sql: postgres.Sql;
  try {
    try {
      sql = await open();
    } catch (error) {
      if (pgCode(error) !== UNDEFINED_DATABASE) throw error;
      await createDatabase(settings, applicationName);
      sql = await open();
    }
  } catch (error) {
    throw unreachableError('Postgres', addressOf(settings.url), error);
  }
  let closed: Promise<void> | undefined;
  return {
    sql,
    db: drizzle(sql, { casing: 'snake_case' }),
    ping: async () => {
      await sql`select 1`;
    },
    close: (timeoutMs = 5000) => {
      closed ??= sql.end({ timeout: timeoutMs / 1000 });
      return closed;
    },
  };
}
