import { fileURLToPath } from 'node:url';
import type { BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import { loadRecordCodec } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import {
  createService,
  payloadCompressionMetrics,
  reportUndecryptable,
  type Service,
  type ServiceConnections,
  servePayloadReencryption,
} from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import type { StateConfig } from './config.ts';
import { statePayloadTables } from './db/document-payloads.ts';
import { createDocumentStore } from './db/document-store.ts';
import { createLifecycleStore } from './db/lifecycle-store.ts';
import { serveLifecycleRpcs } from './handlers/lifecycle-handlers.ts';
import { serveStateRpcs } from './handlers/state-handlers.ts';
import { startHistorySweeper } from './history-sweep.ts';
import { startLifecycleFeed } from './lifecycle-feed.ts';
import { createStateCache } from './state-cache.ts';
import { createStateMetrics, type StateMetrics } from './state-metrics.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the state service; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<StateConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.state;
  let metrics: StateMetrics | undefined;
  const stops: Array<() => Promise<void>> = [];

  return createService({
    service: 'state',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.state,
    register: async ({ bus, db, cache, metrics: registry, security }) => {
      const stateMetrics = createStateMetrics(registry);
      metrics = stateMetrics;
      const codec = reportUndecryptable(
        await loadRecordCodec(config.current.payloads, payloadCompressionMetrics(registry)),
        security,
      );
      const documents = createDocumentStore(db, codec);
      const lifecycles = createLifecycleStore(db);
      const stateLog = log.child({ component: 'state' });
      const subscriptions: BusSubscription[] = [
        servePayloadReencryption({
          bus,
          service: 'state',
          database: db,
          codec,
          tables: statePayloadTables,
          settings: () => config.current.payloads.reencrypt,
          log: log.child({ component: 'payloads' }),
        }),
        ...serveStateRpcs({
          bus,
          store: documents,
          cache: createStateCache({
            cache,
            codec,
            log: stateLog,
            metrics: stateMetrics,
            ttlMs: () => settings().cacheTtlMs,
          }),
          metrics: stateMetrics,
          log: stateLog,
          settings,
        }),
        ...serveLifecycleRpcs({ bus, store: lifecycles, metrics: stateMetrics, log: stateLog }),
      ];
      subscriptions.push(
        await startLifecycleFeed({
          bus,
          store: lifecycles,
          metrics: stateMetrics,
          log: log.child({ component: 'lifecycle' }),
        }),
      );
      const sweeper = startHistorySweeper({
        database: db,
        settings: () => settings().history,
        log: log.child({ component: 'retention' }),
      });
      stops.push(
        () => sweeper.stop(),
        async () => {
          await Promise.all(subscriptions.map((subscription) => subscription.stop()));
        },
      );
    },
    unregister: async () => {
      for (const stop of stops.reverse()) await stop();
    },
    stats: () => metrics?.stats() ?? {},
  });
}
