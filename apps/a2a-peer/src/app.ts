import { fileURLToPath } from 'node:url';
import type { AgentCard } from '@a2a-js/sdk';
import type { LiveConfig } from '@switchboard/config';
import { loadRecordCodec } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import { SbError } from '@switchboard/protocol';
import {
  checkOutboundUrl,
  createBearerAuthenticator,
  createService,
  createTokenResolver,
  limitForRoles,
  reportUndecryptable,
  type Service,
  type ServiceConnections,
  servePayloadReencryption,
} from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import { createA2aHandler } from './a2a-handler.ts';
import { type A2aRuntime, registerA2aRoutes, requestSignalOf } from './a2a-routes.ts';
import { createAgentCatalog } from './agent-catalog.ts';
import {
  agentCard,
  type CardSettings,
  type CardTarget,
  createCardSigner,
  orchestratorCard,
} from './cards.ts';
import type { A2aConfig } from './config.ts';
import { createRetentionStore } from './db/retention-store.ts';
import { a2aPayloadTables, peerPayloadTables } from './db/task-payloads.ts';
import { createTaskStore } from './db/task-store.ts';
import type { PushSigner } from './domain/push-headers.ts';
import { createInboundEncryption } from './encryption/inbound.ts';
import { loadPeerEncryption } from './encryption/load-peer-encryption.ts';
import { peerEncryptionExtension } from './encryption/peer-extension.ts';
import { startPeers } from './peers/peers-runtime.ts';
import { createPushSender } from './push-sender.ts';
import { startRetentionSweeper } from './retention-sweeper.ts';
import { createTaskFeed } from './task-feed.ts';
import { serveTaskUpdates } from './task-updates.ts';
import { startUndeliveredSweeper } from './undelivered-sweeper.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the A2A peer; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<A2aConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.a2a;
  let runtime: A2aRuntime | undefined;
  const stops: Array<() => Promise<void>> = [];
  const counts = {
    updates: 0,
    pushesSent: 0,
    pushesRetried: 0,
    pushesDropped: 0,
    retentionRemoved: 0,
    undeliveredFailed: 0,
  };

  return createService({
    service: 'a2a',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.a2a,
    routes: (http) => registerA2aRoutes(http, () => runtime),
    register: async ({ bus, db, cache, security }) => {
      const codec = reportUndecryptable(await loadRecordCodec(config.current.payloads), security);
      const store = createTaskStore(db, codec);
      const catalog = createAgentCatalog({ bus, ttlMs: () => settings().agentCacheTtlMs });
      const peerEncryption = await loadPeerEncryption(settings().peerEncryption, security);
      const encryptionExtension = peerEncryptionExtension(
        peerEncryption.mode,
        peerEncryption.cipher.keyIds,
      );
      stops.push(
        startPeers({
          bus,
          db,
          cache,
          codec,
          encryption: peerEncryption,
          catalog,
          settings,
          log: log.child({ component: 'peers' }),
        }),
      );
      const signer = await createCardSigner(settings().signing.keys);
      const cardSettings = (): CardSettings => ({
        publicUrl: settings().publicUrl,
        organization: settings().orchestrator.organization,
        organizationUrl: settings().orchestrator.organizationUrl,
        extensions: encryptionExtension === undefined ? [] : [encryptionExtension],
      });
      const cardOf = async (target: CardTarget): Promise<AgentCard> => {
        if (target.kind === 'orchestrator') {
          const { name, description } = settings().orchestrator;
          return orchestratorCard(
            cardSettings(),
            { name, description, version: packageJson.version },
            await catalog.all(),
          );
        }
        const agent = await catalog.published(target.agentId);
        if (agent === undefined) {
          throw new SbError(
            'E_NOT_FOUND',
            `no published agent ${target.agentId}: an agent opts in with the label a2a=public`,
          );
        }
        return agentCard(cardSettings(), agent);
      };

      const taskFeed = createTaskFeed({ bus, store, pollMs: () => settings().feedPollMs });
      await taskFeed.start();
      stops.push(() => taskFeed.stop());

      const inbound = createInboundEncryption(peerEncryption);
      const handlers = new Map<string, ReturnType<typeof createA2aHandler>>();
      const handlerFor = (target: CardTarget) => {
        const key = target.kind === 'orchestrator' ? '' : target.agentId;
        let handler = handlers.get(key);
        if (handler === undefined) {
          if (handlers.size >= 10_000) handlers.clear();
          handler = createA2aHandler(target, {
            bus,
            store,
            feed: taskFeed,
            card: cardOf,
            skills: async () => [
              ...new Set(
                (await catalog.all()).flatMap((agent) => agent.capabilities.map((c) => c.name)),
              ),
            ],
            checkPushUrl: async (url) => {
              const allowed = settings().push.allowPrivate;
              await checkOutboundUrl(
                url,
                { loopback: allowed, privateNetworks: allowed },
                'the push notification URL',
              );
            },
            requestSignal: requestSignalOf,
            encryption: inbound,
            settings,
          });
          handlers.set(key, handler);
        }
        return handler;
      };

      stops.push(
        ...serveTaskUpdates({
          bus,
          store,
          feed: taskFeed,
          onUpdate: () => {
            counts.updates += 1;
          },
        }).map((subscription) => () => subscription.stop()),
      );

      const reencryption = servePayloadReencryption({
        bus,
        service: 'a2a',
        database: db,
        codec,
        tables: [...a2aPayloadTables, ...peerPayloadTables],
        settings: () => config.current.payloads.reencrypt,
        log: log.child({ component: 'payloads' }),
      });
      stops.push(() => reencryption.stop());

      const tokens = createTokenResolver({ bus, ttlMs: () => settings().tokenCacheTtlMs });
      await tokens.start();
      stops.push(() => tokens.stop());

      const pushSigner: PushSigner | undefined =
        signer.key === undefined ? undefined : { ...signer.key, issuer: settings().publicUrl };
      const sender = createPushSender({
        store,
        settings: () => settings().push,
        signer: pushSigner,
        // Only a peer that encrypts reads the task: no task began sealed anywhere else.
        seal: async (taskId, event) =>
          encryptionExtension === undefined
            ? event
            : inbound.push((await store.get(taskId))?.task, event),
        log: log.child({ component: 'push' }),
        onOutcome: (outcome) => {
          if (outcome === 'sent') counts.pushesSent += 1;
          else if (outcome === 'retried') counts.pushesRetried += 1;
          else counts.pushesDropped += 1;
        },
      });
      sender.start();
      stops.push(() => sender.stop());

      const retention = startRetentionSweeper({
        store: createRetentionStore(db),
        settings: () => settings().retention,
        log: log.child({ component: 'retention' }),
        onRemoved: (removed) => {
          counts.retentionRemoved += Object.values(removed).reduce((sum, n) => sum + n, 0);
        },
      });
      stops.push(() => retention.stop());

      const undelivered = startUndeliveredSweeper({
        store,
        feed: taskFeed,
        settings,
        log: log.child({ component: 'undelivered' }),
        onFailed: (count) => {
          counts.undeliveredFailed += count;
        },
      });
      stops.push(() => undelivered.stop());

      runtime = {
        handlerFor,
        cardJson: async (target) => signer.sign(await cardOf(target)),
        jwks: () => signer.jwks,
        authenticate: createBearerAuthenticator({
          tokens,
          cache,
          path: 'a2a',
          ipLimit: () => settings().rateLimitPerIp,
          limit: (principal) =>
            limitForRoles(principal.roles, settings().rateLimitByRole, settings().rateLimit),
          security,
        }),
        log: log.child({ component: 'a2a' }),
      };
    },
    unregister: async () => {
      runtime = undefined;
      for (const stop of stops.splice(0).reverse()) await stop();
    },
    stats: () => ({ ...counts }),
  });
}
