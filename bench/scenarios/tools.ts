import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mintApiKey } from '@switchboard/authz';
import { connectNatsBus } from '@switchboard/bus';
import { ToolsImportRpc } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  keyPrincipal,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
  startUpstreamMcpServer,
} from '@switchboard/testing';
import { percentileMs, rowOf, runClosedLoop } from '../lib/closed-loop.ts';
import type { BenchRow, Scenario } from '../lib/scenario.ts';

async function mcpClient(url: string, token?: string): Promise<Client> {
  const client = new Client(
    { name: 'bench', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(url),
      token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } },
    ),
  );
  return client;
}

/**
 * Tool calls through a gateway process and a registry process: SDK agent → registry → SDK
 * agent provider; an MCP client (2026-07-28) → registry `/mcp` → agent provider; and the
 * registry's added latency in front of an upstream MCP server, against calling that server
 * directly with the official client.
 */
export const tools: Scenario = {
  name: 'tools',
  description:
    'tool calls/s and p50/p99: SDK agent → registry → agent provider, MCP client → /mcp → agent, and registry → upstream MCP server versus the official client calling it directly',
  async run({ params, note }) {
    const context = await createTestContext();
    const bootstrap = mintApiKey();
    const services: ServiceProcess[] = [];
    const clients: AgentClient[] = [];
    const mcpClients: Client[] = [];
    const upstream = await startUpstreamMcpServer({ name: 'bench-upstream' });
    const text = 'x'.repeat(params.payloadBytes);
    try {
      const common = { ...context.env, SB_LOG__LEVEL: 'warn' };
      const gateway = await spawnService('gateway', {
        ...common,
        ...liftedGatewayLimits,
        SB_GATEWAY__PORT: '0',
        SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
      });
      services.push(gateway);
      const registry = await spawnService('tool-registry', {
        ...common,
        SB_TOOLS__PORT: '0',
        SB_TOOLS__UPSTREAM__ALLOW_LOOPBACK: 'true',
        SB_TOOLS__MCP__RATE_LIMIT__CAPACITY: '10000000',
        SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
      });
      services.push(registry);
      const apiKey = await createAgentKey(gateway.port, bootstrap.token, [
        { kind: 'tool', names: ['>'], actions: ['list', 'call', 'provide'] },
      ]);
      const agent = (id: string) =>
        connect({
          url: `ws://127.0.0.1:${gateway.port}`,
          apiKey,
          agent: { id, name: 'bench', version: '1' },
        });
      const provider = await agent('bench-tools-provider');
      const caller = await agent('bench-tools-caller');
      clients.push(provider, caller);
      await provider.tools.provide(
        {
          name: 'bench.echo',
          version: '1.0.0',
          inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
        },
        (args) => args.text ?? null,
      );
      const bus = await connectNatsBus({
        namespace: context.namespace,
        servers: params.natsServers,
        requestTimeoutMs: () => 20_000,
      });
      await bus.request(
        bus.subjects.rpc('tools', ToolsImportRpc.operation),
        ToolsImportRpc,
        { name: 'up', url: upstream.url },
        { principal: keyPrincipal('k_bench', ['admin']) },
      );
      await bus.close();
      note('registry, gateway, provider and upstream ready');

      const loop = (operation: () => Promise<unknown>) =>
        runClosedLoop({
          concurrency: params.concurrency,
          durationMs: params.durationMs,
          warmupMs: params.warmupMs,
          operation,
        });
      const rows: BenchRow[] = [];
      rows.push(
        rowOf(
          'SDK → registry → agent provider',
          await loop(() => caller.tools.call('bench.echo', { text })),
        ),
      );
      const viaMcp = await mcpClient(`http://127.0.0.1:${registry.port}/mcp`, apiKey);
      mcpClients.push(viaMcp);
      rows.push(
        rowOf(
          'MCP client → /mcp → agent provider',
          await loop(() => viaMcp.callTool({ name: 'bench.echo', arguments: { text } })),
        ),
      );
      const direct = await mcpClient(upstream.url);
      mcpClients.push(direct);
      const directResult = await loop(() => direct.callTool({ name: 'echo', arguments: { text } }));
      rows.push(rowOf('official client → upstream MCP (direct)', directResult));
      const proxied = await loop(() => caller.tools.call('up.echo', { text }));
      rows.push(
        rowOf('SDK → registry → upstream MCP', proxied, {
          'added p50 ms': (
            percentileMs(proxied.latencyUs, 50) - percentileMs(directResult.latencyUs, 50)
          ).toFixed(2),
          'added p99 ms': (
            percentileMs(proxied.latencyUs, 99) - percentileMs(directResult.latencyUs, 99)
          ).toFixed(2),
        }),
      );
      return rows;
    } finally {
      await Promise.all(mcpClients.map((client) => client.close().catch(() => undefined)));
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(services.map((service) => service.stop()));
      await upstream.close();
      await context.cleanup();
    }
  },
};
