import { type Grant, GrantSchema, mintApiKey } from '@switchboard/authz';
import type { Database } from '@switchboard/db';
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { apiKeys } from './schema.ts';

/** An API key as operators see it: everything but its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  agentIds: string[];
  roles: string[];
  grants: Grant[];
  createdAt: Date;
  createdBy: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** What creating a key needs. */
export interface NewApiKey {
  name: string;
  agentIds: string[];
  roles: string[];
  grants: Grant[];
  createdBy: string;
  expiresAt?: Date | undefined;
}

/** A page of keys, newest first, and the cursor of the next page when there is one. */
export interface ApiKeyPage {
  keys: ApiKeyRecord[];
  nextCursor: string | undefined;
}

const GrantsSchema = z.array(GrantSchema);

type Row = typeof apiKeys.$inferSelect;

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    agentIds: row.agentIds,
    roles: row.roles,
    // Stored by this store from validated input; parsed again so a bad row fails loudly here.
    grants: GrantsSchema.parse(row.grants),
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

/** The cursor of a page is the last key's creation time and id, opaque to callers. */
function encodeCursor(record: ApiKeyRecord): string {
  return Buffer.from(`${record.createdAt.toISOString()}|${record.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | undefined {
  const [time, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(time ?? '');
  return id === undefined || Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id };
}

/** API keys in the gateway's schema. */
export function createApiKeyStore(database: Database) {
  const { db } = database;
  return {
    /** Mints and stores a key; the token is returned here once and never again. */
    async create(input: NewApiKey): Promise<{ record: ApiKeyRecord; token: string }> {
      const minted = mintApiKey();
      const [row] = await db
        .insert(apiKeys)
        .values({
          id: minted.keyId,
          sha256: minted.sha256,
          name: input.name,
          agentIds: input.agentIds,
          roles: input.roles,
          grants: GrantsSchema.parse(input.grants),
          createdBy: input.createdBy,
          expiresAt: input.expiresAt ?? null,
        })
        .returning();
      return { record: toRecord(row as Row), token: minted.token };
    },

    /** The key and its hash, for verifying a token. */
    async findForVerification(
      id: string,
    ): Promise<(ApiKeyRecord & { sha256: string }) | undefined> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row === undefined ? undefined : { ...toRecord(row), sha256: row.sha256 };
    },

    async get(id: string): Promise<ApiKeyRecord | undefined> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row === undefined ? undefined : toRecord(row);
    },

    /** Keys newest first; `includeRevoked` lists revoked ones too. */
    async list(options: {
      limit: number;
      cursor?: string | undefined;
      includeRevoked: boolean;
    }): Promise<ApiKeyPage> {
      const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const conditions = [
        options.includeRevoked ? undefined : isNull(apiKeys.revokedAt),
        after === undefined
          ? undefined
          : or(
              lt(apiKeys.createdAt, after.createdAt),
              and(eq(apiKeys.createdAt, after.createdAt), lt(apiKeys.id, after.id)),
            ),
      ];
      const rows = await db
        .select()
        .from(apiKeys)
        .where(and(...conditions))
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(options.limit + 1);
      const keys = rows.slice(0, options.limit).map(toRecord);
      const last = keys.at(-1);
      return {
        keys,
        nextCursor:
          rows.length > options.limit && last !== undefined ? encodeCursor(last) : undefined,
      };
    },

    /** Revokes a key (the first revocation time stays); undefined when there is no such key. */
    async revoke(id: string): Promise<ApiKeyRecord | undefined> {
      await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row === undefined ? undefined : toRecord(row);
    },
  };
}

/** The API key store of one gateway. */
export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
