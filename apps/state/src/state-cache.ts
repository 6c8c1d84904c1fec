import type { Cache } from '@switchboard/cache';
import { encodePayload, type RecordCodec } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import { z } from 'zod';
import { documentRecord } from './db/document-payloads.ts';
import type { CurrentDocument } from './db/document-store.ts';
import type { JsonValue } from './domain/merge-patch.ts';
import type { StateMetrics } from './state-metrics.ts';

// The document as the record codec encoded it, as Postgres holds it: with payload encryption on,
// Redis never sees a document in clear. The bytes are bound (associated data) to the document's
// record, so an entry copied under another cache key or version fails to decrypt.
const CachedSchema = z.strictObject({
  version: z.int(),
  bytes: z.base64(),
  codec: z.string(),
  keyId: z.string().nullable(),
  nonce: z.base64().nullable(),
  formatVersion: z.int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

type Cached = z.infer<typeof CachedSchema>;

/**
 * Read-through cache of current documents in Redis, each stored as the record codec encodes it
 * (encrypted when payload encryption is on). Redis is a fast path only: every error is logged at
 * warn and answered as a miss (reads fall back to Postgres), and an unreadable entry (malformed,
 * or a ciphertext that does not decrypt) is a miss too.
 */
export function createStateCache(options: {
  cache: Cache;
  codec: RecordCodec;
  log: Logger;
  metrics: StateMetrics;
  ttlMs: () => number;
}) {
  const { cache, codec, log, metrics } = options;
  const keyOf = (scope: string, key: string) => `state:doc:${scope}:${key}`;
  const decode = (scope: string, key: string, cached: Cached): CurrentDocument => {
    const document = codec.decode(
      {
        bytes: Buffer.from(cached.bytes, 'base64'),
        codec: cached.codec,
        keyId: cached.keyId,
        nonce: cached.nonce === null ? null : Buffer.from(cached.nonce, 'base64'),
        formatVersion: cached.formatVersion,
      },
      documentRecord(scope, key, cached.version),
    );
    return {
      version: cached.version,
      document: document as JsonValue,
      updatedAt: cached.updatedAt,
      updatedBy: cached.updatedBy,
    };
  };
  return {
    async get(scope: string, key: string): Promise<CurrentDocument | undefined> {
      try {
        const entry = await cache.getVersioned(keyOf(scope, key));
        // A fence (a write committed that version) is a miss: the source has it.
        const parsed = CachedSchema.safeParse(entry?.kind === 'value' ? entry.value : undefined);
        const found = parsed.success ? decode(scope, key, parsed.data) : undefined;
        metrics.cacheLookup(found === undefined ? 'miss' : 'hit');
        return found;
      } catch (err) {
        metrics.cacheLookup('error');
        log.warn({ err }, 'state cache read failed; reading Postgres');
        return undefined;
      }
    },
    /**
     * Stores what a read loaded from Postgres, unless a newer version (or a write's fence) is
     * there already: a reader that loaded a version just before a write cannot put it back.
     */
    async set(scope: string, key: string, entry: CurrentDocument): Promise<void> {
      try {
        const encoded = codec.encode(
          encodePayload(entry.document),
          documentRecord(scope, key, entry.version),
        );
        const cached: Cached = {
          version: entry.version,
          bytes: encoded.bytes.toString('base64'),
          codec: encoded.codec,
          keyId: encoded.keyId,
          nonce: encoded.nonce === null ? null : encoded.nonce.toString('base64'),
          formatVersion: encoded.formatVersion,
          updatedAt: entry.updatedAt,
          updatedBy: entry.updatedBy,
        };
        await cache.setVersioned(keyOf(scope, key), entry.version, cached, options.ttlMs());
      } catch (err) {
        log.warn({ err }, 'state cache write failed');
      }
    },
    /** After a commit, before the write is answered: no replica serves an older version. */
    async invalidate(scope: string, key: string, version: number): Promise<void> {
      try {
        await cache.fenceVersion(keyOf(scope, key), version, options.ttlMs());
      } catch (err) {
        log.warn({ err }, 'state cache invalidation failed; the entry expires with its ttl');
      }
    },
  };
}

/** The state cache (see {@link createStateCache}). */
export type StateCache = ReturnType<typeof createStateCache>;
