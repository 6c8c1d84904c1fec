import type { Database, RecordCodec } from '@switchboard/db';
import { CURRENT_FORMAT_VERSION, isoOf } from '@switchboard/db';
import { SbError, type StateOp } from '@switchboard/protocol';
import type { ConflictPolicy } from '../config.ts';
import type { JsonValue } from '../domain/merge-patch.ts';
import { planWrite, type WriteRequest } from '../domain/plan-write.ts';
import { documentRecord } from './document-payloads.ts';

interface DocumentRow {
  version: string | number;
  deleted: boolean;
  document: Buffer | null;
  codec: string;
  key_id: string | null;
  nonce: Buffer | null;
  format_version: number;
  updated_at: Date | string;
  updated_by: string;
}

interface HistoryRow extends Omit<DocumentRow, 'deleted' | 'updated_at' | 'updated_by'> {
  op: StateOp;
  at: Date | string;
  by: string;
}

/** A live (not deleted) document as read from Postgres. */
export interface CurrentDocument {
  version: number;
  document: JsonValue;
  updatedAt: string;
  updatedBy: string;
}

/** A current key of a scope and its version. */
export interface SummaryItem {
  key: string;
  version: number;
  updatedAt: string;
}

/** One kept version. */
export interface KeptVersion {
  version: number;
  op: StateOp;
  document: JsonValue | null;
  at: string;
  by: string;
}

/** What a write committed, and which policy settled a stale expected version (if one did). */
export interface WriteOutcome {
  version: number;
  updatedAt: string;
  settledBy: ConflictPolicy | undefined;
}

type StoredColumns = Pick<
  DocumentRow,
  'document' | 'codec' | 'key_id' | 'nonce' | 'format_version'
>;

/** State documents and their history in the `state` schema, payloads through `codec`. */
export function createDocumentStore(database: Database, codec: RecordCodec) {
  const { sql } = database;

  const decodeRow = (
    scope: string,
    key: string,
    row: StoredColumns & { version: string | number },
  ) =>
    row.document === null
      ? null
      : codec.decode(
          {
            bytes: row.document,
            codec: row.codec,
            keyId: row.key_id,
            nonce: row.nonce,
            formatVersion: row.format_version,
          },
          documentRecord(scope, key, row.version),
        );

  const keptVersion = (scope: string, key: string, row: HistoryRow): KeptVersion => ({
    version: Number(row.version),
    op: row.op,
    document: decodeRow(scope, key, row),
    at: isoOf(row.at),
    by: row.by,
  });

  return {
    /** The current document, or undefined when absent or deleted. */
    async read(scope: string, key: string): Promise<CurrentDocument | undefined> {
      const [row] = await sql<DocumentRow[]>`
        SELECT version, deleted, document, codec, key_id, nonce, format_version, updated_at, updated_by
        FROM state.documents WHERE scope = ${scope} AND key = ${key}`;
      if (row === undefined || row.deleted) return undefined;
      return {
        version: Number(row.version),
        document: decodeRow(scope, key, row) as JsonValue,
        updatedAt: isoOf(row.updated_at),
        updatedBy: row.updated_by,
      };
    },

    /**
     * Writes one version atomically. The row is locked (`FOR UPDATE`) for the whole
     * transaction, so of two writers naming the same version exactly one commits; a missing row
     * is first inserted as an uncommitted placeholder, which serializes creators the same way.
     * @throws SbError `E_CONFLICT` (details `currentVersion`, `document`), `E_NOT_FOUND` (delete
     *   of an absent key), `E_PAYLOAD_TOO_LARGE`.
     */
    async write(request: WriteRequest): Promise<WriteOutcome> {
      const { scope, key } = request;
      return sql.begin(async (tx) => {
        await tx`
          INSERT INTO state.documents (scope, key, version, deleted, updated_by)
          VALUES (${scope}, ${key}, 0, true, ${request.by})
          ON CONFLICT DO NOTHING`;
        const [row] = await tx<DocumentRow[]>`
          SELECT version, deleted, document, codec, key_id, nonce, format_version, updated_at, updated_by
          FROM state.documents WHERE scope = ${scope} AND key = ${key} FOR UPDATE`;
        if (row === undefined)
          throw new SbError('E_INTERNAL', `state row ${scope}/${key} vanished`);
        const version = Number(row.version);
        const current = row.deleted ? undefined : (decodeRow(scope, key, row) as JsonValue);
        const { bytes, settledBy } = await planWrite(
          request,
          { version, deleted: row.deleted, current },
          (expected) =>
            tx<HistoryRow[]>`
              SELECT version, document, codec, key_id, nonce, format_version
              FROM state.document_history
              WHERE scope = ${scope} AND key = ${key} AND version = ${expected}`.then(([kept]) =>
              kept === undefined ? undefined : (decodeRow(scope, key, kept) ?? undefined),
            ),
        );
        const nextVersion = version + 1;
        const stored =
          bytes === null ? null : codec.encode(bytes, documentRecord(scope, key, nextVersion));
        const columns = {
          document: stored?.bytes ?? null,
          codec: stored?.codec ?? 'identity',
          keyId: stored?.keyId ?? null,
          nonce: stored?.nonce ?? null,
          formatVersion: stored?.formatVersion ?? CURRENT_FORMAT_VERSION,
        };
        const [updated] = await tx<{ updated_at: Date | string }[]>`
          UPDATE state.documents SET version = ${nextVersion}, deleted = ${bytes === null},
            document = ${columns.document}, codec = ${columns.codec}, key_id = ${columns.keyId},
            nonce = ${columns.nonce}, format_version = ${columns.formatVersion},
            updated_at = now(), updated_by = ${request.by}
          WHERE scope = ${scope} AND key = ${key}
          RETURNING updated_at`;
        await tx`
          INSERT INTO state.document_history
            (scope, key, version, op, document, codec, key_id, nonce, format_version, at, by)
          VALUES (${scope}, ${key}, ${nextVersion}, ${request.op}, ${columns.document},
            ${columns.codec}, ${columns.keyId}, ${columns.nonce}, ${columns.formatVersion}, now(),
            ${request.by})`;
        return {
          version: nextVersion,
          updatedAt: isoOf(updated?.updated_at ?? new Date()),
          settledBy,
        };
      });
    },

    /**
     * The current (not deleted) keys of a scope with their versions, most recently written
     * first (then by key), at most `limit`; `truncated` when more exist. Reads no document.
     */
    async summary(
      scope: string,
      limit: number,
    ): Promise<{ items: SummaryItem[]; truncated: boolean }> {
      const rows = await sql<
        { key: string; version: string | number; updated_at: Date | string }[]
      >`
        SELECT key, version, updated_at FROM state.documents
        WHERE scope = ${scope} AND NOT deleted
        ORDER BY updated_at DESC, key ASC LIMIT ${limit + 1}`;
      return {
        items: rows.slice(0, limit).map((row) => ({
          key: row.key,
          version: Number(row.version),
          updatedAt: isoOf(row.updated_at),
        })),
        truncated: rows.length > limit,
      };
    },

    /** One kept version, or undefined (never written, or swept). */
    async version(scope: string, key: string, version: number): Promise<KeptVersion | undefined> {
      const [row] = await sql<HistoryRow[]>`
        SELECT version, op, document, codec, key_id, nonce, format_version, at, by
        FROM state.document_history
        WHERE scope = ${scope} AND key = ${key} AND version = ${version}`;
      return row === undefined ? undefined : keptVersion(scope, key, row);
    },

    /** Kept versions older than `before` (all when undefined), newest first. */
    async history(
      scope: string,
      key: string,
      limit: number,
      before: number | undefined,
    ): Promise<KeptVersion[]> {
      const rows = await sql<HistoryRow[]>`
        SELECT version, op, document, codec, key_id, nonce, format_version, at, by
        FROM state.document_history
        WHERE scope = ${scope} AND key = ${key}
          ${before === undefined ? sql`` : sql`AND version < ${before}`}
        ORDER BY version DESC LIMIT ${limit}`;
      return rows.map((row) => keptVersion(scope, key, row));
    },
  };
}

/** The document store (see {@link createDocumentStore}). */
export type DocumentStore = ReturnType<typeof createDocumentStore>;
