import { AgentCard } from '@a2a-js/sdk';
import type { Cache } from '@switchboard/cache';
import type { PeerStatus } from '@switchboard/protocol';
import type { PeerStore } from './peer-store.ts';

/** A peer as every send reads it: its card and health, never its credential. */
export interface CachedPeer {
  name: string;
  card: AgentCard;
  status: PeerStatus;
  latencyMs: number | null;
  cardFetchedAt: number;
}

const KEY = 'a2a:peers';

/**
 * The registered peers for the hot paths (each remote send checks its recipient, each drive
 * picks a peer): cached in Redis for `ttlMs` (shared by the replicas, dropped on every change),
 * read from Postgres when absent; the credential stays in Postgres.
 */
export function createPeerDirectory(deps: { store: PeerStore; cache: Cache; ttlMs: () => number }) {
  return {
    async list(): Promise<CachedPeer[]> {
      const cached = (await deps.cache.getJson(KEY)) as
        | (Omit<CachedPeer, 'card'> & { card: unknown })[]
        | undefined;
      if (cached !== undefined) {
        return cached.map((peer) => ({ ...peer, card: AgentCard.fromJSON(peer.card) }));
      }
      const peers = (await deps.store.list()).map((peer) => ({
        name: peer.name,
        card: peer.card,
        status: peer.status,
        latencyMs: peer.latencyMs,
        cardFetchedAt: peer.cardFetchedAt.getTime(),
      }));
      await deps.cache.setJson(
        KEY,
        peers.map((peer) => ({ ...peer, card: AgentCard.toJSON(peer.card) })),
        deps.ttlMs(),
      );
      return peers;
    },

    async get(name: string): Promise<CachedPeer | undefined> {
      return (await this.list()).find((peer) => peer.name === name);
    },

    /** Drops the cached list (a peer was added, removed, re-checked). */
    async invalidate(): Promise<void> {
      await deps.cache.delete(KEY);
    },
  };
}

/** The cached peers (see {@link createPeerDirectory}). */
export type PeerDirectory = ReturnType<typeof createPeerDirectory>;
