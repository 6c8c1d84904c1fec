import {
  type JsonValue,
  SbError,
  TOOL_CALL_GRACE_MS,
  type ToolCallResult,
  ToolCallResultSchema,
  type ToolDefinitionInput,
  type ToolRecord,
  ToolRecordSchema,
  ToolsListRpc,
  ToolsRegisterRpc,
} from '@switchboard/protocol';
import type { OutgoingFrame } from './frames.ts';
import { requestResult, type SendRequest } from './request-result.ts';
import type { ProvidedTools, ToolHandler } from './tools-provided.ts';

/** A tool call's options: the version range (default: latest stable) and its timeout. */
export interface ToolCallOptions {
  /** A semver range (`^1.2`, `1.4.0`); deprecated versions only when named exactly. */
  version?: string;
  /** How long the registry waits for the provider, in ms (default: the client's request timeout). */
  timeoutMs?: number;
}

/** A catalog page's options. */
export interface ToolListOptions {
  tag?: string;
  limit?: number;
  cursor?: string;
}

/** A page of tools, one entry per tool at its default version. */
export type ToolPage = { items: ToolRecord[]; nextCursor: string | null };

/** How the registry took a provided tool: new, another provider of it, or already known. */
export type ToolRegistration = {
  name: string;
  version: string;
  outcome: 'created' | 'provider_added' | 'unchanged';
};

/**
 * The tool registry: tools this agent provides and tools it calls. Calls reject with the
 * registry's `SbError`: `E_VALIDATION` (bad arguments, with the failing path in `details`),
 * `E_FORBIDDEN`, `E_NOT_FOUND`, `E_TIMEOUT`, `E_UNAVAILABLE` (no provider connected, or it left
 * mid-call), or the code the tool itself failed with.
 */
export interface ToolsApi {
  /**
   * Provides one version of a tool: registers it (again after every reconnect) and runs
   * `handler` for each call routed to this agent. `E_CONFLICT` when that name@version is
   * registered with a different definition.
   */
  provide(definition: ToolDefinitionInput, handler: ToolHandler): Promise<ToolRegistration>;
  /** Calls a tool with `args`; resolves with the version that ran and its result. */
  call(
    name: string,
    args?: Record<string, JsonValue>,
    options?: ToolCallOptions,
  ): Promise<ToolCallResult>;
  /** The version of `name` a range resolves to (default: latest stable). */
  get(name: string, options?: { version?: string }): Promise<ToolRecord>;
  /** The tools this agent may list. */
  list(options?: ToolListOptions): Promise<ToolPage>;
}

/** The tool calls over `send`; `provided` keeps the handlers of the tools this client provides. */
export function createToolsApi(
  send: (frame: OutgoingFrame, options?: { timeoutMs?: number }) => ReturnType<SendRequest>,
  provided: ProvidedTools,
  defaultTimeoutMs: () => number,
): ToolsApi {
  return {
    async provide(definition, handler) {
      const parsed = provided.add(definition, handler);
      try {
        const registered = await requestResult(
          send,
          { type: 'tools.register', tools: [parsed] },
          ToolsRegisterRpc.response,
        );
        const [item] = registered.items;
        if (item === undefined) {
          throw new SbError('E_INTERNAL', 'the registry answered tools.register without an item');
        }
        return item;
      } catch (error) {
        // Refused: not provided. Not connected: it is registered with the next connection.
        if (error instanceof SbError && error.code !== 'E_UNAVAILABLE') provided.delete(parsed);
        throw error;
      }
    },
    call(name, args = {}, options = {}) {
      const timeoutMs = options.timeoutMs ?? defaultTimeoutMs();
      return requestResult(
        (frame) => send(frame, { timeoutMs: timeoutMs + 2 * TOOL_CALL_GRACE_MS }),
        {
          type: 'tools.call',
          name,
          arguments: args,
          timeoutMs,
          ...(options.version === undefined ? {} : { range: options.version }),
        },
        ToolCallResultSchema,
      );
    },
    get: (name, options = {}) =>
      requestResult(
        send,
        {
          type: 'tools.get',
          name,
          ...(options.version === undefined ? {} : { range: options.version }),
        },
        ToolRecordSchema,
      ),
    list: (options = {}) =>
      requestResult(
        send,
        {
          type: 'tools.list',
          ...(options.tag === undefined ? {} : { tag: options.tag }),
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
        },
        ToolsListRpc.response,
      ),
  };
}
