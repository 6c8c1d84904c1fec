import { type AddressInfo, createServer } from 'node:net';
import { Message } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { ClientFactory, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';
import { type Grant, mintApiKey } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { Database } from '@switchboard/db';
import type { RpcDefinition } from '@switchboard/protocol';
import { A2A_LABEL, A2A_PUBLIC, type Capability } from '@switchboard/protocol';
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
import { a2aConfig } from './config.ts';

// The real thing for the A2A peer's tests: a gateway and a router process (as in production),
// A2A peer replicas in this process (so their code counts towards coverage), local agents
// connected through the SDK, and remote callers using the official @a2a-js/sdk client.

/** A user message with `text`, continuing task `taskId` when given. */
export const userMessage = (
  text: string,
  fields: { taskId?: string; metadata?: Record<string, unknown> } = {},
) =>
  Message.fromJSON({
    messageId: crypto.randomUUID(),
    role: 'ROLE_USER',
    parts: [{ text }],
    ...(fields.taskId === undefined ? {} : { taskId: fields.taskId }),
    ...(fields.metadata === undefined ? {} : { metadata: fields.metadata }),
  });

/** SendMessage parameters for a user message (see {@link userMessage}). */
export const sendParams = (
  text: string,
  fields: { taskId?: string; returnImmediately?: boolean; metadata?: Record<string, unknown> } = {},
) => ({
  tenant: '',
  message: userMessage(text, fields),
  configuration:
    fields.returnImmediately === true
      ? {
          acceptedOutputModes: [],
          taskPushNotificationConfig: undefined,
          returnImmediately: true,
        }
      : undefined,
  metadata: undefined,
});

/** The update ids of a task's stored events, in order (null: a change the peer made). */
export async function storedUpdateIds(
  database: Database,
  taskId: string,
): Promise<(string | null)[]> {
  const rows = await database.sql<{ update_id: string | null }[]>`
    SELECT update_id FROM a2a.task_events WHERE task_id = ${taskId} ORDER BY seq`;
  return rows.map((row) => row.update_id);
}

/** An operator key with the admin role. */
export const adminPrincipal = keyPrincipal('k_admin', ['admin']);

/** Fast timers for tests; a file overrides what it needs. */
const fastA2a = {
  SB_A2A__PUSH__POLL_MS: '50',
  SB_A2A__PUSH__BACKOFF_BASE_MS: '50',
  SB_A2A__PUSH__BACKOFF_MAX_MS: '200',
  SB_A2A__PUSH__ALLOW_PRIVATE: 'true',
  SB_A2A__AGENT_CACHE_TTL_MS: '0',
  SB_A2A__PEERS__ALLOW_PRIVATE: 'true',
  SB_A2A__PEERS__HEALTH_INTERVAL_MS: '100',
  SB_A2A__PEERS__DOWN_AFTER_FAILURES: '2',
  SB_A2A__REMOTE__POLL_MS: '50',
  SB_A2A__REMOTE__LEASE_MS: '1000',
  SB_A2A__REMOTE__BACKOFF_BASE_MS: '50',
  SB_A2A__REMOTE__BACKOFF_MAX_MS: '200',
  SB_A2A__REMOTE__MAX_ATTEMPTS: '3',
};

const fastRouter = {
  SB_ROUTER__DELIVERY__SWEEP_INTERVAL_MS: '50',
  SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '2000',
  SB_ROUTER__DELIVERY__BACKOFF_BASE_MS: '20',
  SB_ROUTER__DELIVERY__BACKOFF_MAX_MS: '200',
};

export interface A2aMesh {
  context: TestContext;
  gateway: MeshService;
  peers: InProcessService[];
  /** An A2A peer replica in this process; its public URL is its own address. */
  startPeer(env?: Record<string, string>): Promise<InProcessService>;
  /** Stops the message router process (routing then fails with `E_UNAVAILABLE`). */
  stopRouter(): Promise<void>;
  /** Starts a message router process again after {@link A2aMesh.stopRouter}. */
  startRouter(): Promise<void>;
  /** Starts a tool registry process (for the peers whose skills are published as tools). */
  startToolRegistry(): Promise<MeshService>;
  /** The base URL of the peer started last. */
  readonly url: string;
  /** Connects a local agent through the SDK, published over A2A unless `published: false`. */
  agent(
    agentId: string,
    options?: {
      capabilities?: Capability[];
      published?: boolean;
      messageConcurrency?: number;
      grants?: Grant[];
    },
  ): Promise<AgentClient>;
  /** Calls an a2a-peer RPC as `principal` (default: an admin operator key). */
  call<Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    request: z.input<Req>,
    principal?: string,
  ): Promise<z.infer<Res>>;
  /** A bus client in the test's namespace. */
  bus: Bus;
  /** An operator API key (a bearer token A2A callers use). */
  key(grants?: Grant[]): Promise<string>;
  /** The official A2A client for a card at `cardUrl`, calling with `token`. */
  client(
    cardUrl: string,
    options?: { token?: string; binding?: 'JSONRPC' | 'HTTP+JSON' },
  ): Promise<Client>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A fetch that sends `token` as a bearer credential. */
export function bearerFetch(token: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

export async function createA2aMesh(env: Record<string, string> = {}): Promise<A2aMesh> {
  const context = await createTestContext();
  const bootstrap = mintApiKey();
  const common = { ...context.env, SB_LOG__LEVEL: 'warn', ...env };
  // Processes in distributed mode; in the test's process over its bus and cache in embedded mode.
  const gateway = await startMeshService(
    'gateway',
    {
      ...common,
      SB_GATEWAY__PORT: '0',
      SB_INSTANCE_ID: 'gw-a',
      SB_GATEWAY__AUTH__BOOTSTRAP_KEY_SHA256: bootstrap.sha256,
      ...liftedGatewayLimits,
    },
    context.connections,
  );
  const startRouter = () =>
    startMeshService(
      'message-router',
      { ...common, SB_ROUTER__PORT: '0', ...fastRouter },
      context.connections,
    );
  let router: MeshService | undefined = await startRouter();
  const peers: InProcessService[] = [];
  const others: MeshService[] = [];
  const bus = await connectTestBus(context.namespace, 20_000);
  const clients: AgentClient[] = [];
  const keys = new Map<string, Promise<string>>();

  const mesh: A2aMesh = {
    context,
    gateway,
    peers,
    get url() {
      const peer = peers.at(-1);
      if (peer === undefined) throw new Error('start a peer first');
      return `http://127.0.0.1:${peer.port}`;
    },
    async startPeer(peerEnv = {}) {
      // The cards advertise the public URL: the port is chosen first so the URL can name it.
      const port = await freePort();
      const peer = await startInProcess({
        definition: a2aConfig,
        build,
        env: {
          ...common,
          ...fastA2a,
          SB_A2A__PORT: String(port),
          SB_A2A__PUBLIC_URL: `http://127.0.0.1:${port}`,
          ...peerEnv,
        },
        instanceId: `a2a-${peers.length + 1}`,
        connections: context.connections,
      });
      // A test may stop a peer itself (a restart): stopping again at the end is a no-op.
      let stopping: Promise<void> | undefined;
      const once = { port: peer.port, stop: () => (stopping ??= peer.stop()) };
      peers.push(once);
      return once;
    },
    bus,
    async stopRouter() {
      await router?.stop();
      router = undefined;
    },
    async startRouter() {
      router ??= await startRouter();
    },
    async startToolRegistry() {
      const registry = await startMeshService(
        'tool-registry',
        { ...common, SB_TOOLS__PORT: '0' },
        context.connections,
      );
      others.push(registry);
      return registry;
    },
    call(rpc, request, principal = adminPrincipal) {
      return bus.request(bus.subjects.rpc('a2a', rpc.operation), rpc, request, { principal });
    },
    key(grants = []) {
      const id = JSON.stringify(grants);
      let key = keys.get(id);
      if (key === undefined) {
        key = createAgentKey(gateway.port, bootstrap.token, grants);
        keys.set(id, key);
      }
      return key;
    },
    async agent(agentId, options = {}) {
      const client = await connect({
        url: `ws://127.0.0.1:${gateway.port}`,
        apiKey: await mesh.key(options.grants ?? []),
        agent: {
          id: agentId,
          name: agentId,
          version: '1.0.0',
          description: `${agentId} for tests`,
          capabilities: options.capabilities ?? [],
          labels: options.published === false ? {} : { [A2A_LABEL]: A2A_PUBLIC },
        },
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 20_000,
        ...(options.messageConcurrency === undefined
          ? {}
          : { messageConcurrency: options.messageConcurrency }),
      });
      clients.push(client);
      return client;
    },
    async client(cardUrl, options = {}) {
      const token = options.token ?? (await mesh.key());
      const fetchImpl = bearerFetch(token);
      const factory = new ClientFactory({
        transports: [
          new JsonRpcTransportFactory({ fetchImpl }),
          new RestTransportFactory({ fetchImpl }),
        ],
        preferredTransports: [options.binding ?? 'JSONRPC'],
      });
      return factory.createFromUrl(cardUrl, '');
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(
        [...peers, ...others, gateway, ...(router === undefined ? [] : [router])].map((process) =>
          process.stop(),
        ),
      );
      await bus.close();
      await context.cleanup();
    },
  };
  return mesh;
}
