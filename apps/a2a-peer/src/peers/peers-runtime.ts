import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { Database, RecordCodec } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import type { AgentCatalog } from '../agent-catalog.ts';
import type { A2aConfig } from '../config.ts';
import type { PeerEncryption } from '../encryption/inbound.ts';
import { createOutboundEncryption } from '../encryption/outbound.ts';
import { createCardFetcher } from './peer-cards.ts';
import { createPeerDirectory } from './peer-directory.ts';
import { createPeerHealth } from './peer-health.ts';
import { servePeerRpcs } from './peer-rpcs.ts';
import { createPeerStore } from './peer-store.ts';
import { serveRemoteCalls } from './remote-call.ts';
import { createRemoteTasks } from './remote-tasks.ts';

/**
 * The outbound half of the A2A peer: registered peers with their health checks, the RPCs that
 * manage them and search the directory, and the driver of the remote tasks local agents start.
 * Returns the function that stops it all.
 */
export function startPeers(deps: {
  bus: Bus;
  db: Database;
  cache: Cache;
  codec: RecordCodec;
  /** The encrypted-payloads extension's keys and mode, for calls to peers. */
  encryption: PeerEncryption;
  catalog: AgentCatalog;
  settings: () => A2aConfig['a2a'];
  log: Logger;
}): () => Promise<void> {
  const { settings } = deps;
  const store = createPeerStore(deps.db, deps.codec);
  const peers = createPeerDirectory({
    store,
    cache: deps.cache,
    ttlMs: () => settings().peers.healthIntervalMs,
  });
  const cards = createCardFetcher({
    allowPrivate: () => settings().peers.allowPrivate,
    timeoutMs: () => settings().peers.fetchTimeoutMs,
  });
  const encryption = createOutboundEncryption(deps.encryption);
  const remote = createRemoteTasks({
    bus: deps.bus,
    cache: deps.cache,
    store,
    peers,
    encryption,
    settings: () => ({
      ...settings().remote,
      timeoutMs: settings().peers.fetchTimeoutMs,
      allowPrivate: settings().peers.allowPrivate,
      messageTtlMs: settings().messageTtlMs,
    }),
    log: deps.log.child({ component: 'remote' }),
  });
  const health = createPeerHealth({
    bus: deps.bus,
    store,
    peers,
    cards,
    settings: () => ({
      intervalMs: settings().peers.healthIntervalMs,
      degradedLatencyMs: settings().peers.degradedLatencyMs,
      downAfterFailures: settings().peers.downAfterFailures,
    }),
    log: deps.log.child({ component: 'peers' }),
  });
  const subscriptions: BusSubscription[] = [
    ...servePeerRpcs({
      bus: deps.bus,
      store,
      peers,
      cards,
      catalog: deps.catalog,
      remote,
      log: deps.log,
    }),
    ...serveRemoteCalls({
      bus: deps.bus,
      peers,
      remote,
      encryption,
      pollMs: () => settings().remote.pollMs,
    }),
  ];
  remote.start();
  health.start();
  return async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await remote.stop();
    await health.stop();
  };
}
