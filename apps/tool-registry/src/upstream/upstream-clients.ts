import {
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import type { Logger } from '@switchboard/logger';
import { SbError } from '@switchboard/protocol';
import { checkOutboundUrl, guardedFetch } from '@switchboard/service';
import type { McpCallResultLike, McpToolLike } from '../domain/upstream-tools.ts';

const UPSTREAM_URL = 'the upstream URL';

/** What the registry learned when it connected to an upstream server. */
export interface UpstreamSession {
  client: Client;
  url: string;
  protocolVersion: string | undefined;
  serverVersion: string | undefined;
  listChanged: boolean;
}

/**
 * One MCP client per upstream server on this replica, speaking whichever revision the server
 * speaks (`server/discover` first, `initialize` as the fallback). A client that fails is
 * dropped and the next use connects again. `onListChanged` hears of a server's new tool list.
 */
export function createUpstreamClients(deps: {
  version: string;
  allowLoopback: () => boolean;
  connectTimeoutMs: () => number;
  onListChanged: (name: string, tools: McpToolLike[]) => void;
  log: Logger;
}) {
  const sessions = new Map<string, Promise<UpstreamSession>>();

  async function connect(name: string, url: string): Promise<UpstreamSession> {
    await checkOutboundUrl(url, { loopback: deps.allowLoopback() }, UPSTREAM_URL);
    const client = new Client(
      { name: 'switchboard-tools', version: deps.version },
      {
        versionNegotiation: { mode: 'auto' },
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (error !== null) {
                deps.log.warn(
                  { err: error, upstream: name },
                  'an upstream tool list refresh failed',
                );
              } else if (tools !== null) deps.onListChanged(name, tools as McpToolLike[]);
            },
          },
        },
      },
    );
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      fetch: guardedFetch(() => ({ loopback: deps.allowLoopback() }), UPSTREAM_URL),
    });
    try {
      await client.connect(transport, { timeout: deps.connectTimeoutMs() });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new SbError(
        'E_UNAVAILABLE',
        `the upstream MCP server ${name} at ${url} did not answer: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return {
      client,
      url,
      protocolVersion: client.getNegotiatedProtocolVersion(),
      serverVersion: client.getServerVersion()?.version,
      // A 2025-era server announces changes only over a session's stream: a stateless one
      // (no session id) cannot, whatever its capabilities say, so it is polled.
      listChanged:
        client.getServerCapabilities()?.tools?.listChanged === true &&
        (client.getProtocolEra() === 'modern' || transport.sessionId !== undefined),
    };
  }

  /** The session with `name` at `url`, connecting (or reconnecting to a new URL) first. */
  async function session(name: string, url: string): Promise<UpstreamSession> {
    const existing = sessions.get(name);
    if (existing !== undefined) {
      const current = await existing.catch(() => undefined);
      if (current?.url === url) return current;
      await drop(name);
    }
    const opening = connect(name, url);
    sessions.set(name, opening);
    opening.catch(() => {
      if (sessions.get(name) === opening) sessions.delete(name);
    });
    return opening;
  }

  async function drop(name: string): Promise<void> {
    const existing = sessions.get(name);
    sessions.delete(name);
    const current = await existing?.catch(() => undefined);
    await current?.client.close().catch(() => undefined);
  }

  return {
    session,
    drop,

    /** True when this replica holds a working session with `name`. */
    has: (name: string) => sessions.has(name),

    /** Every tool of the server, all pages. */
    async listTools(
      name: string,
      url: string,
    ): Promise<{ session: UpstreamSession; tools: McpToolLike[] }> {
      const current = await session(name, url);
      try {
        const listed = await current.client.listTools(undefined, {
          timeout: deps.connectTimeoutMs(),
        });
        return { session: current, tools: listed.tools as McpToolLike[] };
      } catch (error) {
        await drop(name);
        throw new SbError(
          'E_UNAVAILABLE',
          `listing the tools of upstream ${name} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },

    /** Calls `tool` on the server within `timeoutMs`. */
    async callTool(
      name: string,
      url: string,
      tool: string,
      args: Record<string, unknown>,
      timeoutMs: number,
    ): Promise<McpCallResultLike> {
      const current = await session(name, url);
      try {
        return (await current.client.callTool(
          { name: tool, arguments: args },
          { timeout: timeoutMs },
        )) as McpCallResultLike;
      } catch (error) {
        const message = (error as Error).message;
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
          throw new SbError(
            'E_TIMEOUT',
            `upstream ${name} did not answer ${tool} within ${timeoutMs} ms`,
            { cause: error },
          );
        }
        // The server answered with an error: the session is fine.
        if (error instanceof ProtocolError) {
          throw new SbError(
            error.code === -32602 ? 'E_VALIDATION' : 'E_INTERNAL',
            `upstream ${name} refused ${tool}: ${message}`,
            { cause: error },
          );
        }
        await drop(name);
        throw new SbError(
          'E_UNAVAILABLE',
          `calling ${tool} on upstream ${name} failed: ${message}`,
          { cause: error },
        );
      }
    },

    async stop(): Promise<void> {
      await Promise.all([...sessions.keys()].map(drop));
    },
  };
}

/** The upstream clients (see {@link createUpstreamClients}). */
export type UpstreamClients = ReturnType<typeof createUpstreamClients>;
