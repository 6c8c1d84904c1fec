export { MIGRATIONS_TABLE, runMigrations } from './migrate.ts';
export {
  CURRENT_FORMAT_VERSION,
  decodePayload,
  encodePayload,
  type StoredPayload,
} from './payload-codec.ts';
export {
  connectPostgres,
  type Database,
  type PostgresSettings,
  postgresOptions,
} from './postgres.ts';
export { dateOf, isoOf } from './timestamps.ts';
