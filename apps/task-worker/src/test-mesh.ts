import { type Grant, mintApiKey } from '@switchboard/authz';
import { type AgentClient, type AgentInfo, connect } from '@switchboard/sdk';
import { type InProcessService, startInProcess } from '@switchboard/service/testing';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type MeshService,
  type ServiceProcess,
  spawnService,
  startMeshService,
  type TestContext,
} from '@switchboard/testing';
import { build } from './app.ts';
import { tasksConfig } from './config.ts';

// The real thing for task tests: gateway processes (as in production; in this process over the
// file's in-process bus and cache in embedded mode), task workers in this process (so their
// code counts towards coverage) or as processes where a test kills them, in the test file's
// namespace and database, and agents connected through the SDK.

/** Fast timers for tests; a file overrides what it needs. */
export const fastTimers = {
  SB_TASKS__LEASE_MS: '1000',
  SB_TASKS__SWEEP_INTERVAL_MS: '50',
  SB_TASKS__BACKOFF_BASE_MS: '20',
  SB_TASKS__BACKOFF_MAX_MS: '200',
  SB_TASKS__EXECUTOR_CACHE_MS: '50',
  SB_TASKS__STATS_REFRESH_MS: '50',
};

/** Every task grant an agent of these tests needs. */
const agentGrants: Grant[] = [
  { kind: 'task', types: ['>'], actions: ['submit', 'execute', 'cancel', 'read'] },
];

export interface TaskMesh {
  context: TestContext;
  /** The bootstrap admin key's token (an operator with every scope). */
  adminToken: string;
  gateways: Map<string, MeshService>;
  workers: Array<ServiceProcess | InProcessService>;
  startGateway(gatewayId: string): Promise<MeshService>;
  /** A task worker in this process, or a process of its own with `asProcess` (to SIGKILL it). */
  startWorker(
    env?: Record<string, string>,
    options?: { asProcess?: boolean },
  ): Promise<ServiceProcess | InProcessService>;
  /** The API key agents connect with (any agent id, every task grant). */
  agentKey(): Promise<string>;
  /** Connects an SDK agent to `gatewayId` (closed by `stop()`). */
  agent(gatewayId: string, agent: AgentInfo): Promise<AgentClient>;
  stop(): Promise<void>;
}

/** An agent registration with `capabilities` (by name) and `labels`. */
export const info = (
  id: string,
  capabilities: string[] = [],
  labels: Record<string, string> = {},
) => ({
  id,
  name: id,
  version: '1.0.0',
  capabilities: capabilities.map((name) => ({ name })),
  labels,
});

export async function createTaskMesh(env: Record<string, string> = {}): Promise<TaskMesh> {
  const context = await createTestContext();
  const bootstrap = mintApiKey();
  const gateways = new Map<string, MeshService>();
  const workers: Array<ServiceProcess | InProcessService> = [];
  const clients: AgentClient[] = [];
  let agentKey: string | undefined;
  const common = { ...context.env, ...fastTimers, SB_LOG__LEVEL: 'warn', ...env };
  const keyOfAgents = async () => {
    const [gateway] = gateways.values();
    if (gateway === undefined) throw new Error('start a gateway first');
    agentKey ??= await createAgentKey(gateway.port, bootstrap.token, agentGrants);
    return agentKey;
  };

  return {
    context,
    adminToken: bootstrap.token,
    gateways,
    workers,
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
    async startWorker(extra = {}, options = {}) {
      const env = { ...common, SB_TASKS__PORT: '0', ...extra };
      const worker = options.asProcess
        ? await spawnService('task-worker', env)
        : await startInProcess({
            definition: tasksConfig,
            build,
            env,
            instanceId: `worker-${workers.length + 1}`,
            connections: context.connections,
          });
      workers.push(worker);
      return worker;
    },
    agentKey: keyOfAgents,
    async agent(gatewayId, agent) {
      const gateway = gateways.get(gatewayId);
      if (gateway === undefined) throw new Error(`no gateway ${gatewayId}`);
      const client = await connect({
        url: `ws://127.0.0.1:${gateway.port}`,
        apiKey: await keyOfAgents(),
        agent,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 20_000,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all([...gateways.values(), ...workers].map((process) => process.stop()));
      await context.cleanup();
    },
  };
}
