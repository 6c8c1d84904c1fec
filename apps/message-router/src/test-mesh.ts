import { type Grant, mintApiKey } from '@switchboard/authz';
import { type AgentClient, type AgentInfo, connect } from '@switchboard/sdk';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
  type TestContext,
} from '@switchboard/testing';
import { fastTimers } from './test-router.ts';

// The real thing for end-to-end tests: gateway and router processes (as in production) in the
// test file's namespace and database, and agents connected through the SDK.

/** Every grant an agent of these tests needs. */
const agentGrants: Grant[] = [
  { kind: 'publish', topics: ['>'] },
  { kind: 'subscribe', topics: ['>'] },
  { kind: 'broadcast' },
];

export interface Mesh {
  context: TestContext;
  /** Gateway processes by id, and routers in start order. */
  gateways: Map<string, ServiceProcess>;
  routers: ServiceProcess[];
  /** Starts a gateway process; on `port` when given (a restart keeps its agents' URL). */
  startGateway(gatewayId: string, port?: number): Promise<ServiceProcess>;
  startRouter(): Promise<ServiceProcess>;
  /** Connects an SDK agent to `gatewayId` (stopped by `stop()`). */
  agent(
    gatewayId: string,
    agent: AgentInfo,
    options?: { messageConcurrency?: number },
  ): Promise<AgentClient>;
  stop(): Promise<void>;
}

export async function createMesh(env: Record<string, string> = {}): Promise<Mesh> {
  const context = await createTestContext();
  const bootstrap = mintApiKey();
  const gateways = new Map<string, ServiceProcess>();
  const routers: ServiceProcess[] = [];
  const clients: AgentClient[] = [];
  let agentKey: string | undefined;
  const common = { ...context.env, ...fastTimers, SB_LOG__LEVEL: 'warn', ...env };

  const mesh: Mesh = {
    context,
    gateways,
    routers,
    async startGateway(gatewayId, port = 0) {
      const gateway = await spawnService('gateway', {
        ...common,
        SB_GATEWAY__PORT: String(port),
        SB_INSTANCE_ID: gatewayId,
        SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
        ...liftedGatewayLimits,
      });
      gateways.set(gatewayId, gateway);
      return gateway;
    },
    async startRouter() {
      const router = await spawnService('message-router', { ...common, SB_ROUTER__PORT: '0' });
      routers.push(router);
      return router;
    },
    async agent(gatewayId, agent, options = {}) {
      const gateway = gateways.get(gatewayId);
      if (gateway === undefined) throw new Error(`no gateway ${gatewayId}`);
      agentKey ??= await createAgentKey(gateway.port, bootstrap.token, agentGrants);
      const client = await connect({
        url: `ws://127.0.0.1:${gateway.port}`,
        apiKey: agentKey,
        agent,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 20_000,
        ...(options.messageConcurrency === undefined
          ? {}
          : { messageConcurrency: options.messageConcurrency }),
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([...gateways.values(), ...routers].map((process) => process.stop()));
      await context.cleanup();
    },
  };
  return mesh;
}
