import { fileURLToPath } from 'node:url';
import { AuthChangedEventSchema } from '@switchboard/authz';
import type { BusSubscription } from '@switchboard/bus';
import type { LiveConfig } from '@switchboard/config';
import { loadRecordCodec } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import {
  RemoteCallRpc,
  TOOL_CALL_GRACE_MS,
  ToolsChangedEventSchema,
  UpstreamChangedEventSchema,
} from '@switchboard/protocol';
import {
  createBearerAuthenticator,
  createService,
  createTokenResolver,
  limitForRoles,
  payloadCompressionMetrics,
  reportUndecryptable,
  type Service,
  type ServiceConnections,
  servePayloadReencryption,
} from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import { createAccessDecisions } from './access-decisions.ts';
import { type AuditTrail, createAuditTrail } from './audit-trail.ts';
import { createCatalog } from './catalog.ts';
import type { ToolsConfig } from './config.ts';
import { toolPayloadTables } from './db/audit-payloads.ts';
import { createAuditStore } from './db/audit-store.ts';
import { createCatalogStore } from './db/catalog-store.ts';
import { createGroupStore } from './db/group-store.ts';
import { createUpstreamCatalogStore } from './db/upstream-catalog-store.ts';
import { createUpstreamStore } from './db/upstream-store.ts';
import { createFigures } from './figures.ts';
import { serveToolRpcs } from './handlers/serve.ts';
import { createInvoker } from './invoker.ts';
import { createMcpEndpoint, type McpRuntime, registerMcpRoute } from './mcp/mcp-route.ts';
import { createMcpServer } from './mcp/mcp-server.ts';
import { createSchemaValidators } from './schema-validators.ts';
import { createToolMetrics, type ToolMetrics } from './tool-metrics.ts';
import { createUpstreamClients } from './upstream/upstream-clients.ts';
import { createUpstreamSync, type UpstreamSync } from './upstream/upstream-sync.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the tool registry; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<ToolsConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  const settings = () => config.current.tools;
  let metrics: ToolMetrics | undefined;
  const subscriptions: BusSubscription[] = [];
  const stops: Array<() => Promise<void>> = [];
  let mcp: McpRuntime | undefined;
  let audit: AuditTrail | undefined;

  return createService({
    service: 'tools',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.tools,
    routes: (http) => registerMcpRoute(http, () => mcp),
    register: async ({ bus, db, cache, metrics: registry, security }) => {
      const toolMetrics = createToolMetrics(registry);
      metrics = toolMetrics;
      const access = createAccessDecisions(() => settings().access.maxCachedDecisions);
      const validators = createSchemaValidators();
      const store = createCatalogStore(db);
      const upstreams = createUpstreamStore(db);
      const groups = createGroupStore(db);
      // The clients report list changes to the sync, which needs the clients: tied after both exist.
      let upstreamSync: UpstreamSync | undefined;
      const clients = createUpstreamClients({
        version: packageJson.version,
        allowLoopback: () => settings().upstream.allowLoopback,
        connectTimeoutMs: () => settings().upstream.connectTimeoutMs,
        onListChanged: (name, tools) => upstreamSync?.onListChanged(name, tools),
        log: log.child({ component: 'upstream' }),
      });
      const sync = createUpstreamSync({
        bus,
        store: createUpstreamCatalogStore(db),
        upstreams,
        clients,
        validators,
        settings,
        log: log.child({ component: 'upstream' }),
      });
      upstreamSync = sync;
      const catalog = createCatalog({
        bus,
        store,
        validators,
        access,
        metrics: toolMetrics,
        log: log.child({ component: 'catalog' }),
      });
      const codec = reportUndecryptable(
        await loadRecordCodec(config.current.payloads, payloadCompressionMetrics(registry)),
        security,
      );
      const auditStore = createAuditStore(db, codec);
      const auditTrail = createAuditTrail({
        store: auditStore,
        settings,
        log: log.child({ component: 'audit' }),
      });
      auditTrail.start();
      audit = auditTrail;
      const invoker = createInvoker({
        bus,
        cache,
        catalog,
        validators,
        metrics: toolMetrics,
        audit: auditTrail,
        settings,
        callA2a: async (peer, skill, args, timeoutMs, caller) => {
          const answer = await bus.request(
            bus.subjects.rpc('a2a', RemoteCallRpc.operation),
            RemoteCallRpc,
            { peer, skill, arguments: args, timeoutMs },
            // The peer answers within the call's timeout; the bus waits a little longer for it.
            { principal: caller.header, timeoutMs: timeoutMs + TOOL_CALL_GRACE_MS },
          );
          return answer.result;
        },
        callUpstream: (server, upstreamName, args, timeoutMs) =>
          sync.call(server, upstreamName, args, timeoutMs),
      });
      subscriptions.push(
        ...serveToolRpcs({
          bus,
          catalog,
          invoker,
          upstreams,
          upstreamSync: sync,
          audit: auditStore,
          figures: createFigures({ store: auditStore, cache, settings }),
          groups,
        }),
        servePayloadReencryption({
          bus,
          service: 'tools',
          database: db,
          codec,
          tables: toolPayloadTables,
          settings: () => config.current.payloads.reencrypt,
          log: log.child({ component: 'payloads' }),
        }),
      );
      const tokens = createTokenResolver({ bus, ttlMs: () => settings().mcp.tokenCacheTtlMs });
      await tokens.start();
      const endpoint = createMcpEndpoint(
        (caller, group) =>
          createMcpServer(caller, group, {
            catalog,
            invoker,
            groups,
            security,
            settings: () => ({
              version: packageJson.version,
              pageSize: settings().mcp.pageSize,
              listCacheTtlMs: settings().mcp.listCacheTtlMs,
            }),
          }),
        log.child({ component: 'mcp' }),
      );
      sync.start();
      stops.push(
        () => endpoint.handler.close(),
        () => tokens.stop(),
        () => sync.stop(),
        () => clients.stop(),
      );
      mcp = {
        serve: endpoint.serve,
        authenticate: createBearerAuthenticator({
          tokens,
          cache,
          path: 'mcp',
          ipLimit: () => settings().mcp.rateLimitPerIp,
          limit: (principal) =>
            limitForRoles(
              principal.roles,
              settings().mcp.rateLimitByRole,
              settings().mcp.rateLimit,
            ),
          security,
        }),
        log: log.child({ component: 'mcp' }),
        publicUrl: () => settings().publicUrl,
      };
      // Every replica listens (no durable name): each holds its own decisions.
      subscriptions.push(
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('auth', 'changed'),
          schema: AuthChangedEventSchema,
          handler: async () => access.clear(),
        }),
        // Each replica holds its own client of every upstream server.
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('tools', 'upstream'),
          schema: UpstreamChangedEventSchema,
          handler: async (event) =>
            sync
              .followImported(event.payload.name)
              .catch((err: unknown) => log.warn({ err }, 'an imported upstream was not reached')),
        }),
        // Each replica tells the MCP subscription streams it holds.
        await bus.consumeEvents({
          filterSubject: bus.subjects.event('tools', 'changed'),
          schema: ToolsChangedEventSchema,
          handler: async () => endpoint.handler.notify.toolsChanged(),
        }),
      );
    },
    unregister: async () => {
      mcp = undefined;
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
      for (const stop of stops.splice(0)) await stop();
      // Last: the calls that were still running have been recorded.
      await audit?.stop();
    },
    stats: () => metrics?.stats() ?? {},
  });
}
