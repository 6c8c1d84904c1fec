import { mintApiKey } from '@switchboard/authz';
import {
  createAgentKey,
  createTestContext,
  liftedGatewayLimits,
  type ServiceProcess,
  spawnService,
  type TestContext,
} from '@switchboard/testing';
import { freePort } from './free-port.ts';
import { residentMiB } from './processes.ts';

/** The mesh a load run drives: every service as its own process, two gateways. */
export interface LoadMesh {
  context: TestContext;
  services: Record<string, ServiceProcess>;
  gatewayUrls: [string, string];
  mcpUrl: string;
  a2aUrl: string;
  /** A key that may act as any agent, with the grants the mix needs. */
  apiKey: string;
  /** The bootstrap admin key, for the operator HTTP API (imports, peers). */
  operatorKey: string;
  /** The process id of each service, by name. */
  pids(): Record<string, number | undefined>;
  /** Resident memory of each service now, in MiB. */
  memoryMiB(): Record<string, number>;
  /**
   * Starts a service again as a supervisor would after it ended (chaos): the same environment
   * and port, so clients find it where they left it. Resolves once it logged `ready`.
   */
  restart(name: string): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/** What the run may change about the mesh. */
export interface MeshOptions {
  logLevel: string;
  /** How long each service may take to log `ready`. */
  startTimeoutMs: number;
  /** Settings every service gets on top of the run's (soak: short retention). */
  env?: Record<string, string>;
}

// The generator is the only caller: one credential, one address. The load suite measures the
// mesh's capacity, so these limits are lifted (a run that keeps them sets them once its agents
// are set up: kept-limits.ts).
const liftedToolLimits = {
  SB_TOOLS__MCP__RATE_LIMIT__CAPACITY: '10000000',
  SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
  SB_TOOLS__MCP__RATE_LIMIT_PER_IP__CAPACITY: '10000000',
  SB_TOOLS__MCP__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: '10000000',
};
const liftedA2aLimits = {
  SB_A2A__RATE_LIMIT__CAPACITY: '10000000',
  SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
  SB_A2A__RATE_LIMIT_PER_IP__CAPACITY: '10000000',
  SB_A2A__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: '10000000',
  SB_A2A__REMOTE__RATE_LIMIT__CAPACITY: '10000000',
  SB_A2A__REMOTE__RATE_LIMIT__REFILL_PER_SECOND: '10000000',
};
// The upstream MCP server and the remote A2A agent the run starts listen on loopback.
const loopbackTools = { SB_TOOLS__UPSTREAM__ALLOW_LOOPBACK: 'true' };
const loopbackA2a = { SB_A2A__PEERS__ALLOW_PRIVATE: 'true' };

/**
 * Starts the mesh in a namespace and database of its own: two gateways, the router, state,
 * tasks, the tool registry and the A2A peer, each as a process as in production.
 */
export async function startMesh(options: MeshOptions): Promise<LoadMesh> {
  const context = await createTestContext();
  const bootstrap = mintApiKey();
  const services: Record<string, ServiceProcess> = {};
  const common = {
    ...context.env,
    SB_LOG__LEVEL: options.logLevel,
    // The checker reads every version of the keys written, so history keeps them all.
    SB_STATE__HISTORY__KEEP_VERSIONS: '1000000',
    ...options.env,
  };
  const stopAll = async () => {
    await Promise.all(Object.values(services).map((service) => service.stop()));
    await context.cleanup();
  };
  try {
    const a2aPort = await freePort();
    const a2aUrl = `http://127.0.0.1:${a2aPort}`;
    const port = async () => String(await freePort());
    /** How each service starts (its apps/ folder and environment), for a restart too. */
    const recipes: Record<string, [string, Record<string, string>]> = {
      router: ['message-router', { ...common, SB_ROUTER__PORT: await port() }],
      state: ['state', { ...common, SB_STATE__PORT: await port() }],
      tasks: ['task-worker', { ...common, SB_TASKS__PORT: await port() }],
      tools: [
        'tool-registry',
        {
          ...common,
          SB_TOOLS__PORT: await port(),
          ...loopbackTools,
          ...liftedToolLimits,
        },
      ],
      a2a: [
        'a2a-peer',
        {
          ...common,
          SB_A2A__PORT: String(a2aPort),
          SB_A2A__PUBLIC_URL: a2aUrl,
          ...loopbackA2a,
          ...liftedA2aLimits,
        },
      ],
    };
    for (const id of ['gateway-a', 'gateway-b']) {
      recipes[id] = [
        'gateway',
        {
          ...common,
          ...liftedGatewayLimits,
          SB_GATEWAY__PORT: await port(),
          SB_INSTANCE_ID: id,
          SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
        },
      ];
    }
    // Seven processes compile and migrate at once on a small machine: give them time.
    const spawn = (name: string) => {
      const [folder, env] = recipes[name] as [string, Record<string, string>];
      return spawnService(folder, env, { timeoutMs: options.startTimeoutMs });
    };
    const names = Object.keys(recipes);
    const started = await Promise.allSettled(names.map(spawn));
    started.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') services[names[index] as string] = outcome.value;
    });
    // One that failed to start fails the run; those that started are stopped below with it.
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const gatewayA = services['gateway-a'] as ServiceProcess;
    const gatewayB = services['gateway-b'] as ServiceProcess;
    const apiKey = await createAgentKey(gatewayA.port, bootstrap.token, [
      { kind: 'publish', topics: ['load.>'] },
      { kind: 'subscribe', topics: ['load.>'] },
      { kind: 'broadcast' },
      { kind: 'task', types: ['load.>'], actions: ['submit', 'execute', 'cancel', 'read'] },
      { kind: 'tool', names: ['load.>'], actions: ['list', 'call', 'provide'] },
      { kind: 'tool', names: ['upstream.>'], actions: ['list', 'call'] },
      { kind: 'a2a', peers: ['remote'] },
    ]);
    return {
      context,
      services,
      gatewayUrls: [`ws://127.0.0.1:${gatewayA.port}`, `ws://127.0.0.1:${gatewayB.port}`],
      mcpUrl: `http://127.0.0.1:${(services.tools as ServiceProcess).port}/mcp`,
      a2aUrl,
      apiKey,
      operatorKey: bootstrap.token,
      pids: () =>
        Object.fromEntries(
          Object.entries(services).map(([name, service]) => [name, service.child.pid]),
        ),
      memoryMiB: () =>
        Object.fromEntries(
          Object.entries(services).map(([name, service]) => [name, residentMiB(service.child.pid)]),
        ),
      restart: async (name) => {
        const service = await spawn(name);
        services[name] = service;
        return service;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The services that exited during the run (a crash), with their exit code or signal. */
export function crashedServices(mesh: LoadMesh): string[] {
  return Object.entries(mesh.services)
    .filter(([, service]) => service.child.exitCode !== null || service.child.signalCode !== null)
    .map(([name, service]) => `${name} (${service.child.exitCode ?? service.child.signalCode})`);
}
