export { MIGRATIONS_TABLE, runMigrations } from './migrate.ts';
export {
  connectPostgres,
  type Database,
  type PostgresSettings,
  postgresOptions,
} from './postgres.ts';
