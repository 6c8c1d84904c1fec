export { MIGRATIONS_TABLE, runMigrations } from './migrate.ts';
export {
  type CompressionObserver,
  CURRENT_FORMAT_VERSION,
  createRecordCodec,
  type EncodedPayload,
  encodePayload,
  type PayloadKeyRing,
  payloadRecord,
  type RecordCodec,
  type StoredPayload,
} from './payload-codec.ts';
export { loadPayloadKeyRing, loadRecordCodec } from './payload-keys.ts';
export {
  type PayloadColumns,
  type PayloadTable,
  payloadColumns,
  prefixedPayloadColumns,
  type ReencryptCursor,
  type ReencryptOptions,
  type ReencryptProgress,
  reencryptPayloads,
} from './payload-reencrypt.ts';
export {
  connectPostgres,
  type Database,
  type PostgresSettings,
  postgresOptions,
} from './postgres.ts';
export { dateOf, isoOf } from './timestamps.ts';
