import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  type JsonValue,
  SbError,
  type ToolChange,
  type ToolDefinition,
  ToolsChangedEventSchema,
  UpstreamChangedEventSchema,
  type UpstreamServer,
} from '@switchboard/protocol';
import { checkOutboundUrl, type PeriodicJob, runEvery } from '@switchboard/service';
import type { ToolsSettings } from '../config.ts';
import type { ToolKey, UpstreamCatalogStore } from '../db/upstream-catalog-store.ts';
import type { UpstreamStore } from '../db/upstream-store.ts';
import { definitionHash } from '../domain/definition-hash.ts';
import { importTools, type McpToolLike, resultOfMcpCall } from '../domain/upstream-tools.ts';
import type { SchemaValidators } from '../schema-validators.ts';
import type { UpstreamClients } from './upstream-clients.ts';

/**
 * Keeps imported upstream MCP servers and the catalog in step, on every replica: each replica
 * holds its own client per server, refreshes a server's tools when it announces a change, and
 * polls the servers that do not announce (or that it could not reach). Writes are idempotent,
 * so replicas syncing the same server agree.
 */
export function createUpstreamSync(deps: {
  bus: Bus;
  store: UpstreamCatalogStore;
  upstreams: UpstreamStore;
  clients: UpstreamClients;
  validators: SchemaValidators;
  settings: () => ToolsSettings;
  log: Logger;
}) {
  const { bus, store, upstreams, clients, log } = deps;
  const urls = new Map<string, string>();
  let poll: PeriodicJob | undefined;
  let firstRound: Promise<void> | undefined;

  const announce = (keys: ToolKey[], change: ToolChange) =>
    Promise.all(
      keys.map(({ name, version }) =>
        bus.publishEvent(bus.subjects.event('tools', 'changed'), ToolsChangedEventSchema, {
          name,
          version,
          change,
        }),
      ),
    );

  /**
   * Writes what a provider outside the mesh serves now (an upstream MCP server, or an A2A
   * peer's skills); tools whose schemas are not valid are skipped.
   */
  async function record(
    kind: 'mcp' | 'a2a',
    provider: string,
    tools: ReadonlyArray<{ definition: ToolDefinition; upstreamName: string }>,
  ) {
    const valid = tools.filter(({ definition }) => {
      try {
        deps.validators.of(definition, definitionHash(definition));
        return true;
      } catch (error) {
        log.warn({ err: error, provider, tool: definition.name }, 'a provided tool was skipped');
        return false;
      }
    });
    const changes = await store.syncProvider(kind, provider, valid);
    await announce(changes.registered, 'registered');
    await announce(changes.updated, 'updated');
    await announce(
      changes.providerAdded.filter(
        (added) =>
          !changes.registered.some(
            (key) => key.name === added.name && key.version === added.version,
          ),
      ),
      'provider_added',
    );
    await announce(changes.providerRemoved, 'provider_removed');
    return valid.map(({ definition }) => ({
      name: definition.name,
      version: definition.version,
    }));
  }

  /** Writes what upstream server `name` serves now. */
  const apply = (name: string, serverVersion: string | undefined, tools: McpToolLike[]) =>
    record('mcp', name, importTools(name, serverVersion, tools));

  async function sync(server: Pick<UpstreamServer, 'name' | 'url'>) {
    urls.set(server.name, server.url);
    try {
      const { session, tools } = await clients.listTools(server.name, server.url);
      const imported = await apply(server.name, session.serverVersion, tools);
      const outcome = {
        protocolVersion: session.protocolVersion,
        listChanged: session.listChanged,
        error: null,
      };
      await upstreams.synced(server.name, outcome);
      return { imported, outcome };
    } catch (error) {
      await upstreams.synced(server.name, { error: (error as Error).message });
      throw error;
    }
  }

  async function pollAll(): Promise<void> {
    for (const server of await upstreams.all()) {
      // A server that announces changes is followed over its session; poll it only to reconnect.
      if (server.listChanged && clients.has(server.name) && urls.get(server.name) === server.url)
        continue;
      await sync(server).catch((err: unknown) =>
        log.warn({ err, upstream: server.name }, 'an upstream MCP server could not be synced'),
      );
    }
  }

  async function urlOf(name: string): Promise<string> {
    const known = urls.get(name);
    if (known !== undefined) return known;
    const server = await upstreams.get(name);
    if (server === undefined)
      throw new SbError('E_UNAVAILABLE', `upstream ${name} is not imported`);
    urls.set(name, server.url);
    return server.url;
  }

  return {
    /** Starts polling; the first round (at once, in the background) reaches every server. */
    start(): void {
      firstRound = pollAll().catch((err: unknown) =>
        log.warn({ err }, 'the first upstream poll failed'),
      );
      poll = runEvery(() => deps.settings().upstream.pollIntervalMs, pollAll, {
        log,
        what: 'the upstream poll',
      });
    },

    /** A server announced a new tool list (its client already read it). */
    onListChanged(name: string, tools: McpToolLike[]): void {
      void clients
        .session(name, urls.get(name) ?? '')
        .then((session) => apply(name, session.serverVersion, tools))
        .catch((err: unknown) =>
          log.warn({ err, upstream: name }, 'an upstream change was not applied'),
        );
    },

    /**
     * Imports the server at `url` as `name`: checks the URL (SSRF), lists its tools, records
     * them, and tells the other replicas to follow it.
     */
    async importServer(name: string, url: string) {
      const checked = await checkOutboundUrl(
        url,
        { loopback: deps.settings().upstream.allowLoopback },
        'the upstream URL',
      );
      await clients.drop(name);
      // Recorded only once its tools were read: a server that cannot be reached is not kept.
      const { imported, outcome } = await sync({ name, url: checked.href });
      await upstreams.save(name, checked.href);
      await upstreams.synced(name, outcome);
      await bus.publishEvent(bus.subjects.event('tools', 'upstream'), UpstreamChangedEventSchema, {
        name,
        change: 'imported',
      });
      const server = await upstreams.get(name);
      if (server === undefined)
        throw new SbError('E_INTERNAL', `upstream ${name} was not recorded`);
      return { server, tools: imported };
    },

    /** Another replica imported (or re-pointed) `name`: follow it from here too. */
    async followImported(name: string): Promise<void> {
      const server = await upstreams.get(name);
      if (server === undefined) return;
      if (urls.get(name) === server.url && clients.has(name)) return;
      await clients.drop(name);
      await sync(server);
    },

    /** Publishes an A2A peer's skills as tools (an empty list withdraws them). */
    publishA2a(peer: string, tools: ReadonlyArray<{ definition: ToolDefinition; skill: string }>) {
      return record(
        'a2a',
        peer,
        tools.map(({ definition, skill }) => ({ definition, upstreamName: skill })),
      );
    },

    /** Proxies a call to the tool `upstreamName` of server `name`. */
    async call(
      name: string,
      upstreamName: string,
      args: Record<string, JsonValue>,
      timeoutMs: number,
    ): Promise<JsonValue> {
      const result = await clients.callTool(name, await urlOf(name), upstreamName, args, timeoutMs);
      return resultOfMcpCall(result);
    },

    async stop(): Promise<void> {
      await poll?.stop();
      await firstRound;
    },
  };
}

/** The upstream sync (see {@link createUpstreamSync}). */
export type UpstreamSync = ReturnType<typeof createUpstreamSync>;
