import { PassThrough } from 'node:stream';
import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import { loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/logger';
import {
  AgentConnectedEventSchema,
  type AgentRecord,
  AgentsQueryRpc,
  GatewayDeliverRpc,
  type OutgoingMessage,
  type Push,
  type PushMissReason,
  presenceKey,
  RouterAckRpc,
  RouterSendRpc,
  type RpcDefinition,
} from '@switchboard/protocol';
import type { Service } from '@switchboard/service';
import {
  agentPrincipal,
  connectTestBus,
  connectTestCache,
  createTestContext,
  keyPrincipal,
  type TestContext,
} from '@switchboard/testing';
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { build } from './app.ts';
import { routerConfig } from './config.ts';

/** An operator key with the admin role: every router operation. */
export const adminPrincipal = keyPrincipal('k_admin', ['admin']);

/**
 * A stand-in for gateway instances on the real bus: the agent catalog (`agents.query`), presence
 * in Redis, `agent.connected` events and the `deliver` endpoint, recording every push. The
 * real gateway is tested with the router in the end-to-end tests; this one lets router tests
 * connect, disconnect and stall agents at will.
 */
export class FakeGateways {
  readonly catalog = new Map<string, AgentRecord>();
  readonly pushes: Push[] = [];
  /** Agents whose pushes are answered as missed, and why. */
  readonly missing = new Map<string, PushMissReason>();
  private waiters: Array<() => void> = [];

  constructor(
    private readonly bus: Bus,
    private readonly cache: Cache,
  ) {}

  async start(gatewayIds: string[]): Promise<void> {
    const queue = { queue: `${this.bus.subjects.namespace}.fake-gateway` };
    this.bus.serve(
      this.bus.subjects.rpc('gateway', AgentsQueryRpc.operation),
      AgentsQueryRpc,
      async (query) => ({
        items: [...this.catalog.values()].filter(
          (agent) =>
            (query.ids === undefined || query.ids.includes(agent.id)) &&
            (query.status === undefined || agent.status === query.status) &&
            (query.capability === undefined ||
              agent.capabilities.some((capability) => capability.name === query.capability)) &&
            Object.entries(query.labels ?? {}).every(([key, value]) => agent.labels[key] === value),
        ),
        nextCursor: null,
      }),
      queue,
    );
    for (const gatewayId of gatewayIds) {
      this.bus.serve(
        this.bus.subjects.gatewayDeliver(gatewayId),
        GatewayDeliverRpc,
        async ({ pushes }) => {
          const missed: Array<{ deliveryId: string; reason: PushMissReason }> = [];
          for (const push of pushes) {
            const reason = this.missing.get(push.agentId);
            if (reason !== undefined && push.kind === 'message') {
              missed.push({ deliveryId: push.deliveryId, reason });
            } else this.pushes.push(push);
          }
          for (const wake of this.waiters.splice(0)) wake();
          return { missed };
        },
        { queue: this.bus.subjects.gatewayDeliver(gatewayId) },
      );
    }
    await this.bus.ping();
  }

  /** Registers (if new) and connects an agent on `gatewayId`. */
  async connect(
    agentId: string,
    options: { gatewayId?: string; capabilities?: string[]; labels?: Record<string, string> } = {},
  ): Promise<void> {
    const gatewayId = options.gatewayId ?? 'gw-a';
    const at = new Date().toISOString();
    this.catalog.set(agentId, {
      id: agentId,
      name: agentId,
      version: '1.0.0',
      description: null,
      capabilities: (options.capabilities ?? []).map((name) => ({ name })),
      labels: options.labels ?? {},
      status: 'connected',
      gatewayId,
      connectionId: `c-${agentId}`,
      registeredBy: 'key:test',
      registeredAt: at,
      connectedAt: at,
      disconnectedAt: null,
      disconnectReason: null,
    });
    await this.cache.setJson(presenceKey(agentId), { gatewayId, connectionId: `c-${agentId}` });
    await this.bus.publishEvent(
      this.bus.subjects.event('agent', 'connected'),
      AgentConnectedEventSchema,
      {
        agentId,
        gatewayId,
        connectionId: `c-${agentId}-${Date.now()}`,
        at,
      },
    );
  }

  /** Registers an agent that is not connected. */
  async register(agentId: string, capabilities: string[] = []): Promise<void> {
    await this.connect(agentId, { capabilities });
    await this.disconnect(agentId);
  }

  async disconnect(agentId: string): Promise<void> {
    const agent = this.catalog.get(agentId);
    if (agent !== undefined) this.catalog.set(agentId, { ...agent, status: 'disconnected' });
    await this.cache.delete(presenceKey(agentId));
  }

  /** Message pushes to `agentId`, in the order they arrived. */
  messagesFor(agentId: string) {
    return this.pushes.flatMap((push) =>
      push.kind === 'message' && push.agentId === agentId ? [push] : [],
    );
  }

  /** Resolves when `predicate` holds, checking after every push (fails after `timeoutMs`). */
  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('the expected pushes did not arrive in time');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

/** A router test file's world: context, bus, Redis, fake gateways and router replicas. */
export interface RouterHarness {
  context: TestContext;
  bus: Bus;
  cache: Cache;
  gateways: FakeGateways;
  start(instanceId: string, env?: Record<string, string>): Promise<Service>;
  /** Sends `message` (an id is added) as `principal`. */
  send(
    principal: string,
    message: Omit<OutgoingMessage, 'id'> & { id?: string },
  ): Promise<{ messageId: string; recipients: number; duplicate: boolean }>;
  ack(
    agentId: string,
    acks: string[],
    nacks?: Array<{ deliveryId: string; retryAfterMs?: number }>,
  ): Promise<unknown>;
  /** Calls a router RPC as `principal` (default: an admin operator key). */
  call<Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    request: z.input<Req>,
    principal?: string,
  ): Promise<z.infer<Res>>;
  stop(): Promise<void>;
}

/** Fast timers for tests; a file overrides what it needs. */
export const fastTimers = {
  SB_ROUTER__DELIVERY__SWEEP_INTERVAL_MS: '50',
  SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '2000',
  SB_ROUTER__DELIVERY__BACKOFF_BASE_MS: '20',
  SB_ROUTER__DELIVERY__BACKOFF_MAX_MS: '200',
};

export async function createRouterHarness(gatewayIds = ['gw-a', 'gw-b']): Promise<RouterHarness> {
  const context = await createTestContext();
  const bus = await connectTestBus(context.namespace, 10_000);
  const cache = await connectTestCache(context.namespace, 'router-test');
  const gateways = new FakeGateways(bus, cache);
  await gateways.start(gatewayIds);
  const running: Service[] = [];
  return {
    context,
    bus,
    cache,
    gateways,
    async start(instanceId, env = {}) {
      const config = await loadConfig(routerConfig, {
        env: { ...context.env, SB_ROUTER__PORT: '0', ...fastTimers, ...env },
      });
      const log = createLogger({
        service: 'router',
        instanceId,
        // SB_TEST_LOG=debug shows the router's log while a test is being debugged.
        level: (process.env.SB_TEST_LOG as 'debug' | undefined) ?? 'silent',
        format: 'json',
        destination: process.env.SB_TEST_LOG === undefined ? new PassThrough() : process.stderr,
      });
      const service = build(config, log, instanceId, context.connections);
      running.push(service);
      await service.start();
      return service;
    },
    send(principal, message) {
      return bus.request(
        bus.subjects.rpc('router', RouterSendRpc.operation),
        RouterSendRpc,
        { message: { id: uuidv7(), ...message } },
        { principal },
      );
    },
    ack(agentId, acks, nacks = []) {
      return bus.request(
        bus.subjects.rpc('router', RouterAckRpc.operation),
        RouterAckRpc,
        { acks, nacks },
        { principal: agentPrincipal(agentId) },
      );
    },
    call(rpc, request, principal = adminPrincipal) {
      return bus.request(bus.subjects.rpc('router', rpc.operation), rpc, request, { principal });
    },
    async stop() {
      await Promise.all(running.map((service) => service.stop()));
      await bus.close();
      await cache.close();
      await context.cleanup();
    },
  };
}
