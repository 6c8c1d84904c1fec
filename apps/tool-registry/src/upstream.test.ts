import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer as LegacyMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { ToolsGetRpc, ToolsImportRpc, ToolsUpstreamsRpc } from '@switchboard/protocol';
import type { AgentClient } from '@switchboard/sdk';
import { waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createToolMesh, type ToolMesh } from './test-mesh.ts';

// Upstream MCP servers built with the official SDKs in this file: one speaks 2026-07-28 and
// announces list changes, one speaks only 2025-11-25 statelessly and is polled.

let mesh: ToolMesh;
let caller: AgentClient;
const servers: HttpServer[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

/** A modern upstream: its tool list can grow while the registry follows it. */
async function modernUpstream() {
  const extra: string[] = [];
  const handler = createMcpHandler(() => {
    const server = new McpServer(
      { name: 'modern-upstream', version: '2.1.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.registerTool(
      'echo',
      {
        description: 'Echoes text',
        inputSchema: z.object({ text: z.string() }),
        outputSchema: z.object({ echoed: z.string() }),
      },
      async ({ text }) => ({
        content: [{ type: 'text', text }],
        structuredContent: { echoed: text },
      }),
    );
    for (const name of extra) {
      server.registerTool(name, { description: name }, async () => ({
        content: [{ type: 'text', text: name }],
      }));
    }
    return server;
  });
  const url = await listen(toNodeHandler(handler));
  return {
    url,
    add(name: string) {
      extra.push(name);
      handler.notify.toolsChanged();
    },
  };
}

/** A 2025-11-25 upstream served statelessly by the v1 SDK: it announces nothing. */
async function legacyUpstream() {
  const tools = ['shout'];
  const url = await listen(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString());
    const server = new LegacyMcpServer({ name: 'legacy-upstream', version: '0.3.0' });
    for (const name of tools) {
      server.registerTool(name, { inputSchema: { text: z.string() } }, async ({ text }) => ({
        content: [{ type: 'text', text: `${name}: ${String(text).toUpperCase()}` }],
      }));
    }
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  });
  return { url, add: (name: string) => tools.push(name) };
}

beforeAll(async () => {
  mesh = await createToolMesh();
  await mesh.startGateway('gw-a');
  await mesh.startRegistry({
    SB_TOOLS__UPSTREAM__ALLOW_LOOPBACK: 'true',
    SB_TOOLS__UPSTREAM__POLL_INTERVAL_MS: '200',
  });
  caller = await mesh.agent('gw-a', 'upstream-caller');
}, 60_000);
afterAll(async () => {
  await mesh.stop();
  for (const server of servers) server.close();
});

describe('upstream MCP servers', () => {
  it('imports a 2026-07-28 server, proxies calls to it and follows its list changes', async () => {
    const upstream = await modernUpstream();
    const imported = await mesh.call(ToolsImportRpc, { name: 'modern', url: upstream.url });
    expect(imported.server).toMatchObject({ protocolVersion: '2026-07-28', listChanged: true });
    expect(imported.tools).toEqual([{ name: 'modern.echo', version: '2.1.0' }]);
    await expect(caller.tools.call('modern.echo', { text: 'hi' })).resolves.toEqual({
      name: 'modern.echo',
      version: '2.1.0',
      result: { echoed: 'hi' },
    });
    await expect(caller.tools.call('modern.echo', { text: 5 })).rejects.toMatchObject({
      code: 'E_VALIDATION',
      details: { path: '/text' },
    });
    upstream.add('wave');
    await waitFor(
      async () =>
        (await mesh.call(ToolsGetRpc, { name: 'modern.wave' }).catch(() => undefined)) !==
        undefined,
    );
    await expect(caller.tools.call('modern.wave')).resolves.toMatchObject({ result: 'wave' });
  });

  it('imports a 2025-11-25 server and picks up its changes by polling', async () => {
    const upstream = await legacyUpstream();
    const imported = await mesh.call(ToolsImportRpc, { name: 'legacy', url: upstream.url });
    expect(imported.server).toMatchObject({ protocolVersion: '2025-11-25', listChanged: false });
    await expect(caller.tools.call('legacy.shout', { text: 'hey' })).resolves.toMatchObject({
      version: '0.3.0',
      result: 'shout: HEY',
    });
    upstream.add('whisper');
    await waitFor(
      async () =>
        (await mesh.call(ToolsGetRpc, { name: 'legacy.whisper' }).catch(() => undefined)) !==
        undefined,
    );
    const { items } = await mesh.call(ToolsUpstreamsRpc, {});
    expect(items.find((server) => server.name === 'legacy')).toMatchObject({ toolCount: 2 });
  });

  it('refuses URLs that reach private networks or are not http', async () => {
    await expect(
      mesh.call(ToolsImportRpc, { name: 'inside', url: 'http://10.0.0.7/mcp' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      mesh.call(ToolsImportRpc, { name: 'meta', url: 'http://169.254.169.254/latest' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      mesh.call(ToolsImportRpc, { name: 'file', url: 'file:///etc/passwd' }),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });

  it('answers E_UNAVAILABLE for a server that cannot be reached', async () => {
    await expect(
      mesh.call(ToolsImportRpc, { name: 'nobody', url: 'http://127.0.0.1:1/mcp' }),
    ).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });
});
