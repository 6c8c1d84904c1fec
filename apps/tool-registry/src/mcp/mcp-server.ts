import { Server } from '@modelcontextprotocol/server';
import {
  isSbError,
  type JsonValue,
  SbError,
  subjectMatches,
  type ToolRecord,
} from '@switchboard/protocol';
import type { Caller, SecurityEvents } from '@switchboard/service';
import type { Catalog } from '../catalog.ts';
import type { GroupStore } from '../db/group-store.ts';
import type { Invoker } from '../invoker.ts';
import { isProtocolFailure, protocolErrorOf, toolErrorResult } from './mcp-errors.ts';

/** The `_meta` key under which a listed tool names its version. */
export const VERSION_META_KEY = 'io.switchboard/version';

/** The built-in tool that finds tools in the whole catalog (the caller's part of it). */
export const SEARCH_TOOL = {
  name: 'search_tools',
  description:
    'Finds tools by what they do: ranked text match over names, descriptions and argument schemas, optionally narrowed to tags. Call a found tool by its name.',
  inputSchema: {
    type: 'object' as const,
    properties: {
      query: {
        type: 'string',
        description: 'Words describing the task, e.g. "create github issue"',
      },
      tags: {
        type: 'array',
        items: { type: 'string' },
        description: 'Only tools with all of these tags',
      },
      limit: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        description: 'Most tools to return (default 10)',
      },
    },
  },
};

/** How the MCP server is set up: who it is and how it pages and caches listings. */
export interface McpServerSettings {
  version: string;
  pageSize: number;
  listCacheTtlMs: number;
}

/** A catalog entry as an MCP tool: name, description, schemas, and its version in `_meta`. */
export function mcpToolOf(record: ToolRecord) {
  return {
    name: record.name,
    description: record.description,
    inputSchema: { ...record.inputSchema, type: 'object' as const },
    ...(record.outputSchema === undefined
      ? {}
      : { outputSchema: { ...record.outputSchema, type: 'object' as const } }),
    _meta: { [VERSION_META_KEY]: record.version },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A fresh MCP server for one request of `caller` (both eras: any replica answers any request,
 * nothing is kept between requests). `tools/list` pages the tools the caller may list (only a
 * group's, when the URL names one), led by `search_tools`; `tools/call` goes through the same
 * invocation path as an agent's call.
 */
export function createMcpServer(
  caller: Caller,
  group: string | undefined,
  deps: {
    catalog: Catalog;
    invoker: Invoker;
    groups: GroupStore;
    settings: () => McpServerSettings;
    /** Reports a call the caller's grants refuse (MCP calls do not pass the bus's replies). */
    security?: SecurityEvents;
  },
): Server {
  const settings = deps.settings();
  const server = new Server(
    { name: 'switchboard-tools', version: settings.version },
    {
      capabilities: { tools: { listChanged: true } },
      cacheHints: { 'tools/list': { ttlMs: settings.listCacheTtlMs, cacheScope: 'private' } },
    },
  );

  /** The name patterns of the group the URL names, or undefined for the whole catalog. */
  async function groupPatterns(): Promise<string[] | undefined> {
    if (group === undefined) return undefined;
    const found = await deps.groups.get(group);
    if (found === undefined) throw new SbError('E_NOT_FOUND', `no tool group ${group}`);
    return found.tools;
  }

  async function listPage(cursor: string | undefined) {
    const patterns = await groupPatterns();
    if (patterns === undefined) {
      return deps.catalog.list(caller, {
        limit: settings.pageSize,
        ...(cursor === undefined ? {} : { cursor }),
      });
    }
    // A group is small by design: filter the caller's whole view, then page by name.
    const members = (await deps.catalog.listAll(caller)).filter((record) =>
      patterns.some((pattern) => subjectMatches(pattern, record.name)),
    );
    const rest = members.filter((record) => cursor === undefined || record.name > cursor);
    const items = rest.slice(0, settings.pageSize);
    return {
      items,
      nextCursor: rest.length > items.length ? (items.at(-1)?.name ?? null) : null,
    };
  }

  async function search(args: Record<string, unknown>) {
    const { items } = await deps.catalog.search(caller, {
      ...(typeof args.query === 'string' ? { query: args.query } : {}),
      ...(Array.isArray(args.tags) ? { tags: args.tags.map(String) } : {}),
      limit: typeof args.limit === 'number' ? Math.min(100, Math.max(1, args.limit)) : 10,
    });
    const tools = items.map(({ tool, score }) => ({ ...mcpToolOf(tool), score }));
    return {
      content: [{ type: 'text' as const, text: JSON.stringify(tools) }],
      structuredContent: { tools },
    };
  }

  server.setRequestHandler('tools/list', async (request) => {
    try {
      const cursor = request.params?.cursor;
      const page = await listPage(cursor);
      return {
        tools: [...(cursor === undefined ? [SEARCH_TOOL] : []), ...page.items.map(mcpToolOf)],
        ...(page.nextCursor === null ? {} : { nextCursor: page.nextCursor }),
      };
    } catch (error) {
      throw protocolErrorOf(error);
    }
  });

  server.setRequestHandler('tools/call', async (request) => {
    try {
      if (request.params.name === SEARCH_TOOL.name)
        return await search(request.params.arguments ?? {});
      const { record, result } = await deps.invoker.run(caller, {
        name: request.params.name,
        arguments: (request.params.arguments ?? {}) as Record<string, JsonValue>,
      });
      return server.projectCallToolResult(
        {
          content: [{ type: 'text', text: JSON.stringify(result) }],
          ...(isObject(result) ? { structuredContent: result } : {}),
          _meta: { [VERSION_META_KEY]: record.version },
        },
        record.outputSchema,
      );
    } catch (error) {
      if (isSbError(error) && error.code === 'E_FORBIDDEN') {
        deps.security?.report({
          kind: 'forbidden',
          principal: caller.principal.id,
          credentialId: caller.principal.credential.id,
          path: `/mcp tools/call ${request.params.name}`,
          code: error.code,
          detail: error.message,
        });
      }
      if (isProtocolFailure(error)) throw protocolErrorOf(error);
      return toolErrorResult(error);
    }
  });

  return server;
}
