import { type Grant, mintApiKey } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { RpcDefinition } from '@switchboard/protocol';
import { type AgentClient, connect } from '@switchboard/sdk';
import { type InProcessService, startInProcess } from '@switchboard/service/testing';
import {
  connectTestBus,
  createAgentKey,
  createTestContext,
  keyPrincipal,
  liftedGatewayLimits,
  type MeshService,
  startMeshService,
  type TestContext,
} from '@switchboard/testing';
import type { z } from 'zod';
import { build } from './app.ts';
import { toolsConfig } from './config.ts';

// The real thing for the registry's tests: gateway processes (as in production; in this process
// over the file's in-process bus and cache in embedded mode) and registry
// replicas in this process (so their code counts towards coverage), in the test file's
// namespace and database, agents connected through the SDK, and a bus client
// that calls the registry as an operator would through the gateway.

/** An operator key with the admin role. */
export const adminPrincipal = keyPrincipal('k_admin', ['admin']);

/** Every tool grant: list, call and provide any tool. */
export const allTools: Grant[] = [
  { kind: 'tool', names: ['>'], actions: ['list', 'call', 'provide'] },
];

export interface ToolMesh {
  context: TestContext;
  bus: Bus;
  gateways: Map<string, MeshService>;
  registries: InProcessService[];
  startGateway(gatewayId: string): Promise<MeshService>;
  /** A registry replica in this process (its code counts towards coverage). */
  startRegistry(env?: Record<string, string>): Promise<InProcessService>;
  /** Connects an SDK agent `agentId` to `gatewayId` with a key holding `grants`. */
  agent(gatewayId: string, agentId: string, grants?: Grant[]): Promise<AgentClient>;
  /** Creates an API key with `grants` through the gateway; resolves with its token. */
  key(grants: Grant[]): Promise<string>;
  /** Calls a registry RPC as `principal` (default: an admin operator key). */
  call<Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    request: z.input<Req>,
    principal?: string,
  ): Promise<z.infer<Res>>;
  stop(): Promise<void>;
}

/** Fast timers for tests; a file overrides what it needs. */
export const fastTools = {
  SB_TOOLS__CALLS__DEFAULT_TIMEOUT_MS: '10000',
};

export async function createToolMesh(env: Record<string, string> = {}): Promise<ToolMesh> {
  const context = await createTestContext();
  const bus = await connectTestBus(context.namespace, 20_000);
  const bootstrap = mintApiKey();
  const gateways = new Map<string, MeshService>();
  const registries: InProcessService[] = [];
  const clients: AgentClient[] = [];
  const keys = new Map<string, Promise<string>>();
  const common = { ...context.env, SB_LOG__LEVEL: 'warn', ...env };

  const mesh: ToolMesh = {
    context,
    bus,
    gateways,
    registries,
    async startGateway(gatewayId) {
      const gateway = await startMeshService(
        'gateway',
        {
          ...common,
          SB_GATEWAY__PORT: '0',
          SB_INSTANCE_ID: gatewayId,
          SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
          ...liftedGatewayLimits,
        },
        context.connections,
      );
      gateways.set(gatewayId, gateway);
      return gateway;
    },
    async startRegistry(registryEnv = {}) {
      const registry = await startInProcess({
        definition: toolsConfig,
        build,
        env: { ...common, ...fastTools, SB_TOOLS__PORT: '0', ...registryEnv },
        instanceId: `registry-${registries.length + 1}`,
        connections: context.connections,
      });
      registries.push(registry);
      return registry;
    },
    key(grants) {
      const [gateway] = gateways.values();
      if (gateway === undefined) throw new Error('start a gateway first');
      const grantsKey = JSON.stringify(grants);
      let key = keys.get(grantsKey);
      if (key === undefined) {
        key = createAgentKey(gateway.port, bootstrap.token, grants);
        keys.set(grantsKey, key);
      }
      return key;
    },
    async agent(gatewayId, agentId, grants = allTools) {
      const gateway = gateways.get(gatewayId);
      if (gateway === undefined) throw new Error(`no gateway ${gatewayId}`);
      const client = await connect({
        url: `ws://127.0.0.1:${gateway.port}`,
        apiKey: await mesh.key(grants),
        agent: { id: agentId, name: agentId, version: '1.0.0' },
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 20_000,
      });
      clients.push(client);
      return client;
    },
    call(rpc, request, principal = adminPrincipal) {
      return bus.request(bus.subjects.rpc('tools', rpc.operation), rpc, request, { principal });
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([...gateways.values(), ...registries].map((process) => process.stop()));
      await bus.close();
      await context.cleanup();
    },
  };
  return mesh;
}
