import type { Logger } from '@switchboard/logger';
import type { SubscriptionStore } from './db/subscription-store.ts';
import { SubscriptionIndex } from './domain/subscription-index.ts';

/**
 * This replica's topic index, loaded from Postgres and reloaded when it goes stale: at once
 * after a change made here, on the `subscription` event for a change made by another replica,
 * and when the sweep finds the stored change counter moved (in case an event was missed).
 */
export function createSubscriptionCache(deps: { store: SubscriptionStore; log: Logger }) {
  let loaded: { version: number; index: SubscriptionIndex } | undefined;
  let loading: Promise<SubscriptionIndex> | undefined;
  let stale = true;

  const load = async (): Promise<SubscriptionIndex> => {
    stale = false;
    const { version, items } = await deps.store.all();
    const index = new SubscriptionIndex(items);
    loaded = { version, index };
    deps.log.debug({ version, subscriptions: index.size }, 'topic index loaded');
    return index;
  };

  return {
    /** The index, reloaded first when it is stale (one load at a time). */
    async current(): Promise<SubscriptionIndex> {
      if (!stale && loaded !== undefined) return loaded.index;
      loading ??= load().finally(() => {
        loading = undefined;
      });
      return loading;
    },

    /** Marks the index stale unless it was loaded at `version` or later. */
    invalidate(version?: number): void {
      if (version === undefined || loaded === undefined || loaded.version < version) stale = true;
    },

    /** Compares the stored change counter with the loaded one. */
    async check(): Promise<void> {
      const version = await deps.store.version();
      if (loaded === undefined || loaded.version !== version) stale = true;
    },
  };
}

/** The subscription cache (see {@link createSubscriptionCache}). */
export type SubscriptionCache = ReturnType<typeof createSubscriptionCache>;
