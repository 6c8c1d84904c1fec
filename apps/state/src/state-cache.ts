import type { Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import { z } from 'zod';
import type { CurrentDocument } from './db/document-store.ts';
import type { JsonValue } from './domain/merge-patch.ts';
import type { StateMetrics } from './state-metrics.ts';

const CachedSchema = z.strictObject({
  version: z.int(),
  document: z.json(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

/**
 * Read-through cache of current documents in Redis. Redis is a fast path only: every error is
 * logged at warn and answered as a miss (reads fall back to Postgres), and an unreadable entry is
 * a miss too.
 */
export function createStateCache(options: {
  cache: Cache;
  log: Logger;
  metrics: StateMetrics;
  ttlMs: () => number;
}) {
  const { cache, log, metrics } = options;
  const keyOf = (scope: string, key: string) => `state:doc:${scope}:${key}`;
  return {
    async get(scope: string, key: string): Promise<CurrentDocument | undefined> {
      try {
        const entry = await cache.getVersioned(keyOf(scope, key));
        // A fence (a write committed that version) is a miss: the source has it.
        const parsed = CachedSchema.safeParse(entry?.kind === 'value' ? entry.value : undefined);
        metrics.cacheLookup(parsed.success ? 'hit' : 'miss');
        return parsed.success
          ? { ...parsed.data, document: parsed.data.document as JsonValue }
          : undefined;
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
        await cache.setVersioned(keyOf(scope, key), entry.version, entry, options.ttlMs());
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
