import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import {
  fromErrorBody,
  GatewayToolCallRpc,
  isSbError,
  type JsonValue,
  PresenceSchema,
  presenceKey,
  SbError,
  type ToolCallOutcome,
  type ToolCallResult,
  type ToolRecord,
} from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import { v7 as uuidv7 } from 'uuid';
import type { AuditTrail } from './audit-trail.ts';
import type { Catalog } from './catalog.ts';
import type { ToolsSettings } from './config.ts';
import type { CatalogEntry } from './db/catalog-store.ts';
import { failuresOf, type SchemaValidators } from './schema-validators.ts';
import type { ToolMetrics } from './tool-metrics.ts';

/** Where a call can go: an agent on a gateway, an upstream MCP server's tool, an A2A skill. */
type Provider =
  | { kind: 'agent'; agentId: string; gatewayId: string }
  | { kind: 'mcp'; server: string; upstreamName: string }
  | { kind: 'a2a'; server: string; upstreamName: string };

/** A call as the registry receives it. */
export interface ToolCallRequest {
  name: string;
  range?: string | undefined;
  arguments: Record<string, JsonValue>;
  timeoutMs?: number | undefined;
}

/**
 * Runs tool calls: resolves the version (the caller's `call` grants), checks the arguments
 * against the input schema, picks a connected provider (round robin among the agents whose
 * presence Redis holds), asks the gateway holding it over `<ns>.v1.gw.<id>.call` within the
 * timeout, and checks the result against the output schema.
 */
export function createInvoker(deps: {
  bus: Bus;
  cache: Cache;
  catalog: Catalog;
  validators: SchemaValidators;
  metrics: ToolMetrics;
  audit: AuditTrail;
  settings: () => ToolsSettings;
  /** Proxies a call to an upstream MCP server's tool. */
  callUpstream: (
    server: string,
    upstreamName: string,
    args: Record<string, JsonValue>,
    timeoutMs: number,
  ) => Promise<JsonValue>;
  /** Sends a call to an A2A peer's skill (through the a2a-peer, as the caller). */
  callA2a: (
    peer: string,
    skill: string,
    args: Record<string, JsonValue>,
    timeoutMs: number,
    caller: Caller,
  ) => Promise<JsonValue>;
}) {
  const { bus, cache, catalog, validators, metrics } = deps;
  // Per tool version, the turn of the next provider: spreads calls over the providers.
  const turns = new Map<string, number>();

  /**
   * The providers a call may go to: the agents whose presence Redis holds (and the gateways that
   * hold them), and the upstream MCP servers that serve the version.
   */
  async function reachableProviders(entry: CatalogEntry): Promise<Provider[]> {
    const upstreams = entry.upstreams;
    const agentIds = entry.record.providers.flatMap((provider) =>
      provider.kind === 'agent' ? [provider.agentId] : [],
    );
    if (agentIds.length === 0) return upstreams;
    const presences = await cache.getManyJson(agentIds.map(presenceKey));
    const agents = agentIds.flatMap((agentId, index) => {
      const presence = PresenceSchema.safeParse(presences[index]);
      return presence.success
        ? [{ kind: 'agent' as const, agentId, gatewayId: presence.data.gatewayId }]
        : [];
    });
    return [...agents, ...upstreams];
  }

  function pick<T>(key: string, candidates: readonly T[]): T {
    const turn = turns.get(key) ?? 0;
    turns.set(key, (turn + 1) % candidates.length);
    return candidates[turn % candidates.length] as T;
  }

  function checkArguments(entry: CatalogEntry, args: Record<string, JsonValue>): void {
    const { maxArgumentsBytes } = deps.settings().calls;
    const bytes = Buffer.byteLength(JSON.stringify(args));
    if (bytes > maxArgumentsBytes) {
      throw new SbError(
        'E_PAYLOAD_TOO_LARGE',
        `the arguments are ${bytes} bytes; the limit is ${maxArgumentsBytes}`,
      );
    }
    const { input } = validators.of(entry.record, entry.hash);
    if (!input(args)) {
      const failures = failuresOf(input);
      const [first] = failures;
      throw new SbError(
        'E_VALIDATION',
        `the arguments of ${entry.record.name}@${entry.record.version} do not match its input schema: ${first?.path} ${first?.message}`,
        { details: { path: first?.path, failures } },
      );
    }
  }

  async function invoke(
    caller: Caller,
    entry: CatalogEntry,
    args: Record<string, JsonValue>,
    timeoutMs: number,
    onProvider: (provider: string) => void,
  ) {
    const { name, version } = entry.record;
    const providers = await reachableProviders(entry);
    if (providers.length === 0) {
      throw new SbError(
        'E_UNAVAILABLE',
        `no provider of ${name}@${version} is connected; try again once one is`,
      );
    }
    const provider = pick(`${name}@${version}`, providers);
    if (provider.kind === 'a2a') {
      onProvider(`a2a:${provider.server}`);
      const result = await deps.callA2a(
        provider.server,
        provider.upstreamName,
        args,
        timeoutMs,
        caller,
      );
      return { ok: true as const, result };
    }
    if (provider.kind === 'mcp') {
      onProvider(`mcp:${provider.server}`);
      const result = await deps.callUpstream(
        provider.server,
        provider.upstreamName,
        args,
        timeoutMs,
      );
      return { ok: true as const, result };
    }
    onProvider(`agent:${provider.agentId}`);
    try {
      return await bus.request(
        bus.subjects.gatewayCall(provider.gatewayId),
        GatewayToolCallRpc,
        {
          agentId: provider.agentId,
          callId: uuidv7(),
          name,
          version,
          arguments: args,
          deadline: new Date(Date.now() + timeoutMs).toISOString(),
        },
        { timeoutMs },
      );
    } catch (error) {
      if (isSbError(error) && error.code === 'E_TIMEOUT') {
        throw new SbError(
          'E_TIMEOUT',
          `${name}@${version} (provider ${provider.agentId}) did not answer within ${timeoutMs} ms`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** Runs a call; resolves with the version that ran (its record) and the checked result. */
  async function run(
    caller: Caller,
    request: ToolCallRequest,
  ): Promise<{ record: ToolRecord; result: JsonValue }> {
    const at = new Date();
    const startedAt = performance.now();
    let version: string | null = request.range ?? null;
    let provider: string | null = null;
    let outcome: ToolCallOutcome = 'refused';
    let errorCode: string | null = null;
    try {
      const entry = await catalog.resolve(caller, request.name, request.range, 'call');
      version = entry.record.version;
      checkArguments(entry, request.arguments);
      const { defaultTimeoutMs, maxTimeoutMs } = deps.settings().calls;
      const timeoutMs = Math.min(request.timeoutMs ?? defaultTimeoutMs, maxTimeoutMs);
      outcome = 'error';
      const answer = await invoke(caller, entry, request.arguments, timeoutMs, (reached) => {
        provider = reached;
      });
      if (!answer.ok) throw fromErrorBody(answer.error);
      const { output } = validators.of(entry.record, entry.hash);
      if (output !== undefined && !output(answer.result)) {
        const [first] = failuresOf(output);
        throw new SbError(
          'E_INTERNAL',
          `the provider of ${entry.record.name}@${entry.record.version} returned a result that does not match its output schema: ${first?.path} ${first?.message}`,
          { details: { path: first?.path } },
        );
      }
      outcome = 'ok';
      return { record: entry.record, result: answer.result };
    } catch (error) {
      errorCode = isSbError(error) ? error.code : 'E_INTERNAL';
      if (outcome === 'error' && errorCode === 'E_TIMEOUT') outcome = 'timeout';
      throw error;
    } finally {
      const durationMs = performance.now() - startedAt;
      metrics.called(outcome, outcome === 'refused' ? undefined : durationMs / 1000);
      deps.audit.record({
        caller: caller.principal.id,
        name: request.name,
        version,
        provider,
        outcome,
        errorCode,
        durationMs,
        arguments: request.arguments,
        at,
      });
    }
  }

  return {
    run,

    /** Runs a call as `<ns>.v1.tools.call` answers it: the version that ran and its result. */
    async call(caller: Caller, request: ToolCallRequest): Promise<ToolCallResult> {
      const { record, result } = await run(caller, request);
      return { name: record.name, version: record.version, result };
    },
  };
}

/** The invoker (see {@link createInvoker}). */
export type Invoker = ReturnType<typeof createInvoker>;
