import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

// An upstream MCP server built with the official SDK v2 (@modelcontextprotocol/server, Streamable
// HTTP): the tool registry imports it like any third-party server, so the calls it proxies cross
// a real MCP hop.

/** A running upstream MCP server with one tool, `echo`. */
export interface UpstreamMcpServer {
  /** Its MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  /** Calls of `echo` it answered. */
  readonly calls: () => number;
  close(): Promise<void>;
}

/** Starts an upstream MCP server on a free loopback port whose tool `echo` returns its text. */
export async function startUpstreamMcpServer(
  options: { name?: string; version?: string } = {},
): Promise<UpstreamMcpServer> {
  let calls = 0;
  const handler = createMcpHandler(() => {
    const mcp = new McpServer({
      name: options.name ?? 'upstream',
      version: options.version ?? '1.0.0',
    });
    mcp.registerTool(
      'echo',
      { description: 'Echoes text', inputSchema: z.object({ text: z.string() }) },
      async ({ text }) => {
        calls += 1;
        return { content: [{ type: 'text', text }] };
      },
    );
    return mcp;
  });
  const server = createServer(toNodeHandler(handler));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    calls: () => calls,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
