import { fileURLToPath } from 'node:url';
import type { BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import { loadRecordCodec } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import {
  AgentConnectedEventSchema,
  DeadLetterEventSchema,
  SubscriptionChangedEventSchema,
} from '@switchboard/protocol';
import {
  createService,
  payloadCompressionMetrics,
  reportUndecryptable,
  type Service,
  type ServiceConnections,
  servePayloadReencryption,
} from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import { createAgentDirectory } from './agent-directory.ts';
import type { RouterConfig } from './config.ts';
import { createDeadLetterStore } from './db/dead-letter-store.ts';
import { createHistoryStore } from './db/history-store.ts';
import { routerPayloadTables } from './db/message-row.ts';
import { createMessageStore } from './db/message-store.ts';
import { createSubscriptionStore } from './db/subscription-store.ts';
import { createDispatcher } from './dispatcher.ts';
import { createAcceptor } from './handlers/accept.ts';
import { createSettler } from './handlers/acks.ts';
import { serveRouterRpcs } from './handlers/serve.ts';
import { createRouterMetrics, type RouterMetrics } from './router-metrics.ts';
import { createSubscriptionCache } from './subscription-cache.ts';
import { startSweeper } from './sweeper.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the message router; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<RouterConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.router;
  let metrics: RouterMetrics | undefined;
  const stops: Array<() => Promise<void>> = [];

  return createService({
    service: 'router',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.router,
    register: async ({ bus, db, cache, metrics: registry, security }) => {
      const routerMetrics = createRouterMetrics(registry);
      metrics = routerMetrics;
      const codec = reportUndecryptable(
        await loadRecordCodec(config.current.payloads, payloadCompressionMetrics(registry)),
        security,
      );
      const store = createMessageStore(db, bus.subjects.namespace, codec);
      const subscriptions = createSubscriptionStore(db);
      const subscriptionCache = createSubscriptionCache({
        store: subscriptions,
        log: log.child({ component: 'topics' }),
      });
      const dispatcher = createDispatcher({
        bus,
        cache,
        store,
        codec,
        settings,
        metrics: routerMetrics,
        log: log.child({ component: 'dispatch' }),
      });
      const settler = createSettler({
        store,
        dispatcher,
        settings,
        metrics: routerMetrics,
        onDeadLetters: (dead) => {
          for (const { deliveryId, agentId, messageId } of dead) {
            bus
              .publishEvent(bus.subjects.event('router', 'dead_letter'), DeadLetterEventSchema, {
                deliveryId,
                agentId,
                messageId,
              })
              .catch((err: unknown) => log.warn({ err }, 'a dead-letter event was not published'));
          }
        },
      });
      const history = createHistoryStore(db, codec);
      const rpcs: BusSubscription[] = serveRouterRpcs({
        bus,
        acceptor: createAcceptor({
          store,
          agents: createAgentDirectory(bus),
          subscriptions: subscriptionCache,
          dispatcher,
          settings,
          metrics: routerMetrics,
        }),
        settler,
        subscriptions,
        subscriptionCache,
        deadLetters: createDeadLetterStore(db, codec),
        history,
        dispatcher,
        settings,
        log,
      });
      rpcs.push(
        servePayloadReencryption({
          bus,
          service: 'router',
          database: db,
          codec,
          tables: routerPayloadTables,
          settings: () => config.current.payloads.reencrypt,
          log: log.child({ component: 'payloads' }),
        }),
      );
      // Every replica watches (no durable name): each keeps its own topic index, and any of them
      // may be the one to dispatch to an agent that just connected.
      rpcs.push(
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('router', 'subscription'),
          schema: SubscriptionChangedEventSchema,
          handler: async (event) => subscriptionCache.invalidate(event.payload.version),
        }),
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('agent', 'connected'),
          schema: AgentConnectedEventSchema,
          handler: async (event) => {
            const { agentId, at } = event.payload;
            await store.releaseEarlierPushes(
              agentId,
              new Date(at),
              settings().delivery.ackTimeoutMs,
            );
            dispatcher.wake([agentId]);
          },
        }),
      );
      const sweeper = startSweeper({
        store,
        history,
        settler,
        dispatcher,
        subscriptionCache,
        settings,
        metrics: routerMetrics,
        log: log.child({ component: 'sweep' }),
      });
      stops.push(
        async () => {
          await Promise.all(rpcs.map((subscription) => subscription.stop()));
        },
        () => sweeper.stop(),
        () => dispatcher.stop(),
      );
    },
    unregister: async () => {
      for (const stop of stops.splice(0)) await stop();
    },
    stats: () => metrics?.stats() ?? {},
  });
}
