import { encodePayload, type RecordCodec } from './payload-codec.ts';
import type { Database } from './postgres.ts';

/** The columns of one stored payload in a row, and the record name its ciphertext is bound to. */
export interface PayloadColumns {
  bytes: string;
  codec: string;
  keyId: string;
  nonce: string;
  formatVersion: string;
  /** The record name (see `payloadRecord`) of a row, from its selected columns. */
  record: (row: Readonly<Record<string, unknown>>) => string;
  /** Further columns `record` reads (the key columns are always selected). */
  reads?: readonly string[];
}

/** A table that stores payloads, as the re-encryption job walks it. */
export interface PayloadTable {
  /** Schema-qualified (`router.messages`): identifiers come from code, never from input. */
  table: string;
  /** Columns of a unique key, the order pages are walked in. */
  key: readonly string[];
  payloads: readonly PayloadColumns[];
}

/** The columns of a payload stored as `<prefix>`, `<prefix>_codec`, ... (task-worker style). */
export function prefixedPayloadColumns(
  prefix: string,
  record: PayloadColumns['record'],
): PayloadColumns {
  return {
    bytes: prefix,
    codec: `${prefix}_codec`,
    keyId: `${prefix}_key_id`,
    nonce: `${prefix}_nonce`,
    formatVersion: `${prefix}_format_version`,
    record,
  };
}

/** The columns of a payload stored as `<bytes>`, `codec`, `key_id`, `nonce`, `format_version`. */
export function payloadColumns(bytes: string, record: PayloadColumns['record']): PayloadColumns {
  return {
    bytes,
    codec: 'codec',
    keyId: 'key_id',
    nonce: 'nonce',
    formatVersion: 'format_version',
    record,
  };
}

/** Where a run stopped: a table (index into the tables given) and the last key done in it. */
export interface ReencryptCursor {
  table: number;
  /** The key columns' values of the last row walked; null: the table's start. */
  key: Array<string | number> | null;
}

/** What one run of the job did, and where it stopped or what is left. */
export interface ReencryptProgress {
  /** Payloads moved to the active key in this run. */
  reencrypted: number;
  /** Where the next run goes on; null once the walk reached the end of every table. */
  cursor: ReencryptCursor | null;
  /**
   * At the end of a walk, the payloads still under another key (rows being written while the
   * walk passed, skipped); null while the walk goes on.
   */
  remaining: number | null;
  /** The walk is over and nothing remains: every payload is under the active key. */
  done: boolean;
}

/** How long one run works and how many rows each of its transactions takes. */
export interface ReencryptOptions {
  batchSize: number;
  budgetMs: number;
}

// Identifiers are code constants; quoting keeps a mixed-case one honest.
const quote = (identifier: string) =>
  identifier
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');

function stale(payload: PayloadColumns, active: string): string {
  return `(${quote(payload.bytes)} IS NOT NULL AND ${quote(payload.keyId)} IS DISTINCT FROM ${active})`;
}

type Row = Record<string, unknown>;

/**
 * One keyset page of `spec` after `after`, in one transaction: its stale rows locked
 * `FOR UPDATE SKIP LOCKED`, decoded and encoded again under the active key.
 */
async function reencryptPage(
  database: Database,
  codec: RecordCodec,
  spec: PayloadTable,
  after: ReencryptCursor['key'],
  batchSize: number,
): Promise<{ rows: Row[]; moved: number }> {
  const active = codec.activeKeyId;
  const key = spec.key.map(quote).join(', ');
  const columns = [
    ...new Set([
      ...spec.key,
      ...spec.payloads.flatMap((p) => [
        p.bytes,
        p.codec,
        p.keyId,
        p.nonce,
        p.formatVersion,
        ...(p.reads ?? []),
      ]),
    ]),
  ];
  const params: unknown[] = [active];
  const from =
    after === null
      ? ''
      : `AND (${key}) > (${after.map((value) => `$${params.push(value)}`).join(', ')})`;
  const where = spec.payloads.map((payload) => stale(payload, '$1::text')).join(' OR ');
  return database.sql.begin(async (tx) => {
    const rows = await tx.unsafe<Row[]>(
      `SELECT ${columns.map(quote).join(', ')} FROM ${quote(spec.table)}
       WHERE (${where}) ${from}
       ORDER BY ${key} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`,
      params as never[],
    );
    let moved = 0;
    for (const row of rows) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const payload of spec.payloads) {
        if (row[payload.bytes] === null || row[payload.keyId] === active) continue;
        const record = payload.record(row);
        const plain = codec.decode(
          {
            bytes: row[payload.bytes] as Buffer,
            codec: row[payload.codec] as string,
            keyId: row[payload.keyId] as string | null,
            nonce: row[payload.nonce] as Buffer | null,
            formatVersion: row[payload.formatVersion] as number,
          },
          record,
        );
        const encoded = codec.encode(encodePayload(plain), record);
        const assign = (column: string, value: unknown) =>
          sets.push(`${quote(column)} = $${values.push(value)}`);
        assign(payload.bytes, encoded.bytes);
        assign(payload.codec, encoded.codec);
        assign(payload.keyId, encoded.keyId);
        assign(payload.nonce, encoded.nonce);
        assign(payload.formatVersion, encoded.formatVersion);
        moved += 1;
      }
      const match = spec.key
        .map((column) => `${quote(column)} = $${values.push(row[column])}`)
        .join(' AND ');
      await tx.unsafe(
        `UPDATE ${quote(spec.table)} SET ${sets.join(', ')} WHERE ${match}`,
        values as never[],
      );
    }
    return { rows, moved };
  });
}

/** Payloads of `tables` not under the active key (one full scan of each). */
async function countStale(database: Database, codec: RecordCodec, tables: readonly PayloadTable[]) {
  let remaining = 0;
  for (const spec of tables) {
    const counts = spec.payloads
      .map((payload) => `count(*) FILTER (WHERE ${stale(payload, '$1::text')})`)
      .join(' + ');
    const [row] = (await database.sql.unsafe(
      `SELECT ${counts} AS remaining FROM ${quote(spec.table)}`,
      [codec.activeKeyId] as never[],
    )) as unknown as [{ remaining: string }];
    remaining += Number(row.remaining);
  }
  return remaining;
}

/**
 * Moves the payloads of `tables` that are not under the codec's active key (older keys, or
 * plaintext written before encryption was on) to it: walks each table in key order (keyset
 * pages, from `from` when given), each page one transaction that locks its rows
 * `FOR UPDATE SKIP LOCKED` (a row being written right now is skipped: its writer stores it under
 * the active key, or a later walk takes it), decodes and encodes again. Stops when `budgetMs` is
 * spent and answers where to go on, so a caller runs it again with that cursor until the walk is
 * over; then counts what remains (`done` when nothing). Safe to run on several replicas at once,
 * to stop at any point and to repeat.
 */
export async function reencryptPayloads(
  database: Database,
  codec: RecordCodec,
  tables: readonly PayloadTable[],
  options: ReencryptOptions,
  from: ReencryptCursor = { table: 0, key: null },
): Promise<ReencryptProgress> {
  const deadline = Date.now() + options.budgetMs;
  let reencrypted = 0;
  let after = from.key;
  for (let table = from.table; table < tables.length; table += 1) {
    const spec = tables[table] as PayloadTable;
    for (;;) {
      if (Date.now() >= deadline) {
        return { reencrypted, cursor: { table, key: after }, remaining: null, done: false };
      }
      const page = await reencryptPage(database, codec, spec, after, options.batchSize);
      reencrypted += page.moved;
      const last = page.rows.at(-1);
      if (last === undefined || page.rows.length < options.batchSize) break;
      after = spec.key.map((column) => last[column] as string | number);
    }
    after = null;
  }
  const remaining = await countStale(database, codec, tables);
  return { reencrypted, cursor: null, remaining, done: remaining === 0 };
}
