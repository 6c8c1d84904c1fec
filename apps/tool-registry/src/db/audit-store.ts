import { CURRENT_FORMAT_VERSION, type Database, isoOf, type RecordCodec } from '@switchboard/db';
import type { ToolAuditRecord, ToolCallOutcome } from '@switchboard/protocol';
import { auditRecord } from './audit-payloads.ts';

/** One audit row as the writer hands it over (arguments serialized; the store encodes them). */
export interface AuditRow {
  id: string;
  at: string;
  caller: string;
  name: string;
  version: string | null;
  provider: string | null;
  outcome: ToolCallOutcome;
  errorCode: string | null;
  durationMs: number;
  arguments: Buffer | null;
}

interface AuditRecordRow {
  id: string;
  at: Date | string;
  caller: string;
  name: string;
  version: string | null;
  provider: string | null;
  outcome: ToolCallOutcome;
  error_code: string | null;
  duration_ms: number;
  arguments: Buffer | null;
  codec: string;
  key_id: string | null;
  nonce: Buffer | null;
  format_version: number;
}

/** The raw figures of one tool version: totals, and the calls within the health window. */
export interface FiguresRow {
  name: string;
  version: string;
  calls: number;
  errors: number;
  timeouts: number;
  lastSuccessAt: string | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  recentOk: number;
  recentFailed: number;
}

/** The audit trail and the per-version totals in the `tools` schema. */
export function createAuditStore(database: Database, codec: RecordCodec) {
  const { sql } = database;

  return {
    /** Writes a batch of audit rows and adds them to the totals, in one transaction. */
    async insert(rows: readonly AuditRow[]): Promise<void> {
      if (rows.length === 0) return;
      const json = JSON.stringify(
        rows.map((row) => {
          const stored =
            row.arguments === null ? null : codec.encode(row.arguments, auditRecord(row.id));
          return {
            id: row.id,
            at: row.at,
            caller: row.caller,
            name: row.name,
            version: row.version,
            provider: row.provider,
            outcome: row.outcome,
            error_code: row.errorCode,
            duration_ms: row.durationMs,
            arguments_b64: stored?.bytes.toString('base64') ?? null,
            codec: stored?.codec ?? 'identity',
            key_id: stored?.keyId ?? null,
            nonce_b64: stored?.nonce?.toString('base64') ?? null,
            format_version: stored?.formatVersion ?? CURRENT_FORMAT_VERSION,
          };
        }),
      );
      await sql.begin(async (tx) => {
        await tx`
          INSERT INTO tools.call_audit
            (id, at, caller, name, version, provider, outcome, error_code, duration_ms, arguments,
             codec, key_id, nonce, format_version)
          SELECT id, at, caller, name, version, provider, outcome, error_code, duration_ms,
                 decode(arguments_b64, 'base64'), codec, key_id, decode(nonce_b64, 'base64'),
                 format_version
          FROM jsonb_to_recordset(${json}::jsonb) AS t(
            id text, at timestamptz, caller text, name text, version text, provider text,
            outcome text, error_code text, duration_ms double precision, arguments_b64 text,
            codec text, key_id text, nonce_b64 text, format_version int)
          ON CONFLICT (id) DO NOTHING`;
        // Calls refused before a provider say nothing about the tool version.
        await tx`
          INSERT INTO tools.tool_figures AS f (name, version, calls, errors, timeouts, last_success_at)
          SELECT name, version, count(*),
                 count(*) FILTER (WHERE outcome = 'error'),
                 count(*) FILTER (WHERE outcome = 'timeout'),
                 max(at) FILTER (WHERE outcome = 'ok')
          FROM jsonb_to_recordset(${json}::jsonb) AS t(
            name text, version text, outcome text, at timestamptz)
          WHERE version IS NOT NULL AND outcome <> 'refused'
          GROUP BY name, version
          ON CONFLICT (name, version) DO UPDATE SET
            calls = f.calls + EXCLUDED.calls,
            errors = f.errors + EXCLUDED.errors,
            timeouts = f.timeouts + EXCLUDED.timeouts,
            last_success_at = greatest(f.last_success_at, EXCLUDED.last_success_at)`;
      });
    },

    /** Audited calls, newest first (ids are UUIDv7: time-ordered), after `cursor` (an id). */
    async page(filter: {
      name?: string | undefined;
      caller?: string | undefined;
      outcome?: ToolCallOutcome | undefined;
      since?: string | undefined;
      until?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    }): Promise<{ items: ToolAuditRecord[]; nextCursor: string | null }> {
      const rows = await sql<AuditRecordRow[]>`
        SELECT * FROM tools.call_audit
        WHERE (${filter.name ?? null}::text IS NULL OR name = ${filter.name ?? null})
          AND (${filter.caller ?? null}::text IS NULL OR caller = ${filter.caller ?? null})
          AND (${filter.outcome ?? null}::text IS NULL OR outcome = ${filter.outcome ?? null})
          AND (${filter.since ?? null}::timestamptz IS NULL OR at >= ${filter.since ?? null})
          AND (${filter.until ?? null}::timestamptz IS NULL OR at < ${filter.until ?? null})
          AND (${filter.cursor ?? null}::text IS NULL OR id < ${filter.cursor ?? null})
        ORDER BY id DESC LIMIT ${filter.limit + 1}`;
      const page = rows.slice(0, filter.limit);
      return {
        items: page.map((row) => ({
          id: row.id,
          at: isoOf(row.at),
          caller: row.caller,
          name: row.name,
          version: row.version,
          provider: row.provider,
          outcome: row.outcome,
          errorCode: row.error_code,
          durationMs: Number(row.duration_ms),
          arguments:
            row.arguments === null
              ? null
              : codec.decode(
                  {
                    bytes: row.arguments,
                    codec: row.codec,
                    keyId: row.key_id,
                    nonce: row.nonce,
                    formatVersion: row.format_version,
                  },
                  auditRecord(row.id),
                ),
        })),
        nextCursor: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
      };
    },

    /** Totals and the health window's figures per tool version, ordered by name and version. */
    async figures(filter: {
      name?: string | undefined;
      version?: string | undefined;
      windowStart: Date;
    }): Promise<FiguresRow[]> {
      const rows = await sql<
        Array<{
          name: string;
          version: string;
          calls: string | number;
          errors: string | number;
          timeouts: string | number;
          last_success_at: Date | string | null;
          p50: number | null;
          p95: number | null;
          p99: number | null;
          ok: string | number;
          failed: string | number;
        }>
      >`
        SELECT f.name, f.version, f.calls, f.errors, f.timeouts, f.last_success_at,
               w.p50, w.p95, w.p99, coalesce(w.ok, 0) AS ok, coalesce(w.failed, 0) AS failed
        FROM tools.tool_figures f
        LEFT JOIN LATERAL (
          SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                 percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS p99,
                 count(*) FILTER (WHERE outcome = 'ok') AS ok,
                 count(*) FILTER (WHERE outcome IN ('error', 'timeout')) AS failed
          FROM tools.call_audit a
          WHERE a.name = f.name AND a.version = f.version AND a.outcome <> 'refused'
            AND a.at >= ${filter.windowStart.toISOString()}
        ) w ON true
        WHERE (${filter.name ?? null}::text IS NULL OR f.name = ${filter.name ?? null})
          AND (${filter.version ?? null}::text IS NULL OR f.version = ${filter.version ?? null})
        ORDER BY f.name, f.version`;
      return rows.map((row) => ({
        name: row.name,
        version: row.version,
        calls: Number(row.calls),
        errors: Number(row.errors),
        timeouts: Number(row.timeouts),
        lastSuccessAt: row.last_success_at === null ? null : isoOf(row.last_success_at),
        p50Ms: row.p50 === null ? null : Number(row.p50),
        p95Ms: row.p95 === null ? null : Number(row.p95),
        p99Ms: row.p99 === null ? null : Number(row.p99),
        recentOk: Number(row.ok),
        recentFailed: Number(row.failed),
      }));
    },

    /**
     * Deletes at most `limit` of the oldest audit rows older than `before`; resolves with how
     * many. The sub-select walks call_audit_at_idx from its oldest end, so a batch costs the same
     * however large the backlog, and `SKIP LOCKED` lets replicas sweeping at once take different
     * rows instead of waiting on each other's.
     */
    async sweep(before: Date, limit: number): Promise<number> {
      const deleted = await sql`
        DELETE FROM tools.call_audit WHERE id IN (
          SELECT id FROM tools.call_audit WHERE at < ${before.toISOString()}
          ORDER BY at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
      return deleted.count;
    },
  };
}

/** The audit store (see {@link createAuditStore}). */
export type AuditStore = ReturnType<typeof createAuditStore>;
