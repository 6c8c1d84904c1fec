import type { Database } from '@switchboard/db';
import {
  SbError,
  type SecurityEvent,
  type SecurityEventKind,
  SecurityEventSchema,
} from '@switchboard/protocol';
import { and, desc, eq, gte, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { securityEvents } from './schema.ts';

/** Filters of a page of security events. */
export interface SecurityEventQuery {
  kinds?: readonly SecurityEventKind[] | undefined;
  /** A principal id or a credential id. */
  principal?: string | undefined;
  ip?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

// Newest first: the cursor is the (at, id) of the last event of the page.
const CursorSchema = z.tuple([z.int().min(0), z.uuid()]);

function decodeCursor(cursor: string): [number, string] {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  } catch {
    throw new SbError('E_VALIDATION', 'the cursor is not one this gateway returned');
  }
}

const encodeCursor = (event: SecurityEvent) =>
  Buffer.from(JSON.stringify([event.at, event.id])).toString('base64url');

type Row = typeof securityEvents.$inferSelect;

function eventOf(row: Row): SecurityEvent {
  return SecurityEventSchema.parse(
    Object.fromEntries(
      Object.entries({ ...row, at: row.at.getTime() }).filter(([, value]) => value !== null),
    ),
  );
}

/** The gateway's store of the mesh's security events. */
export function createSecurityEventStore(database: Database) {
  const { db } = database;
  return {
    /** Stores events; one already stored (same id, delivered again) is kept as it was. */
    async add(events: readonly SecurityEvent[]): Promise<void> {
      if (events.length === 0) return;
      await db
        .insert(securityEvents)
        .values(
          events.map((event) => ({
            id: event.id,
            kind: event.kind,
            at: new Date(event.at),
            service: event.service,
            principal: event.principal ?? null,
            credentialId: event.credentialId ?? null,
            ip: event.ip ?? null,
            path: event.path ?? null,
            code: event.code ?? null,
            detail: event.detail ?? null,
            facts: event.facts ?? null,
          })),
        )
        .onConflictDoNothing({ target: securityEvents.id });
    },

    /** A page of events matching every filter given, newest first. */
    async query(
      query: SecurityEventQuery,
    ): Promise<{ items: SecurityEvent[]; nextCursor: string | null }> {
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const conditions = [
        query.kinds === undefined || query.kinds.length === 0
          ? undefined
          : or(...query.kinds.map((kind) => eq(securityEvents.kind, kind))),
        query.principal === undefined
          ? undefined
          : or(
              eq(securityEvents.principal, query.principal),
              eq(securityEvents.credentialId, query.principal),
            ),
        query.ip === undefined ? undefined : eq(securityEvents.ip, query.ip),
        query.since === undefined ? undefined : gte(securityEvents.at, query.since),
        query.until === undefined ? undefined : lte(securityEvents.at, query.until),
        after === undefined
          ? undefined
          : sql`(${securityEvents.at}, ${securityEvents.id}) < (${new Date(after[0]).toISOString()}::timestamptz, ${after[1]}::uuid)`,
      ];
      const rows = await db
        .select()
        .from(securityEvents)
        .where(and(...conditions))
        .orderBy(desc(securityEvents.at), desc(securityEvents.id))
        .limit(query.limit + 1);
      const items = rows.slice(0, query.limit).map(eventOf);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null,
      };
    },

    /**
     * Deletes at most `limit` of the oldest events older than `before`; answers how many. The
     * sub-select walks security_events_at_idx from its oldest end, so a batch costs the same
     * however large the backlog, and `SKIP LOCKED` lets replicas sweeping at once take different
     * rows instead of waiting on each other's.
     */
    async deleteBefore(before: Date, limit: number): Promise<number> {
      const deleted = await database.sql`
        DELETE FROM gateway.security_events WHERE id IN (
          SELECT id FROM gateway.security_events WHERE at < ${before.toISOString()}
          ORDER BY at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
      return deleted.count;
    },
  };
}

/** The security events the gateway keeps. */
export type SecurityEventStore = ReturnType<typeof createSecurityEventStore>;
