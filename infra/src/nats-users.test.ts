import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { type AnyServiceConfig, type ConfigOf, type Env, loadConfig } from '@switchboard/config';
import { createLogger, type RootLogger } from '@switchboard/logger';
import {
  ConfigGetRpc,
  ConfigSetRpc,
  ConfigUnsetRpc,
  PingRpc,
  type ServiceShortName,
  StatsRpc,
  subjects,
} from '@switchboard/protocol';
import type { BuildService, Service } from '@switchboard/service';
import {
  cleanupNamespace,
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  testInfra,
  waitFor,
} from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { build as buildA2a } from '../../apps/a2a-peer/src/app.ts';
import { a2aConfig } from '../../apps/a2a-peer/src/config.ts';
import { build as buildGateway } from '../../apps/gateway/src/app.ts';
import { gatewayConfig } from '../../apps/gateway/src/config.ts';
import { build as buildRouter } from '../../apps/message-router/src/app.ts';
import { routerConfig } from '../../apps/message-router/src/config.ts';
import { build as buildState } from '../../apps/state/src/app.ts';
import { stateConfig } from '../../apps/state/src/config.ts';
import { build as buildTasks } from '../../apps/task-worker/src/app.ts';
import { tasksConfig } from '../../apps/task-worker/src/config.ts';
import { build as buildTools } from '../../apps/tool-registry/src/app.ts';
import { toolsConfig } from '../../apps/tool-registry/src/config.ts';
import { deployedServices } from './services.ts';
import {
  type ComposeNatsServer,
  forNamespace,
  startComposeNatsServer,
} from './test-nats-server.ts';

// The compose NATS config (DESIGN.md, Security: one NATS user per service), run on a server of
// its own: the real services must start, serve and take live config as their own users, every
// bus feature must pass their permissions, and what a user is not given must be refused.
// The permissions are written for the namespace `sb`; the server runs them rewritten for this
// file's namespace (as docs/deploy.md tells operators of another namespace), so the services'
// Redis keys and database are this file's alone.
const configDir = fileURLToPath(new URL('../nats', import.meta.url));
const namespace = createTestNamespace();
/** Builds a service the way its `main.ts` does, from the environment alone. */
type Builder = (env: Env, log: RootLogger, instanceId: string) => Promise<Service>;
function builder<D extends AnyServiceConfig>(
  definition: D,
  build: BuildService<ConfigOf<D>>,
): Builder {
  return async (env, log, instanceId) =>
    build(await loadConfig(definition, { env }), log, instanceId);
}
const builders: Record<ServiceShortName, Builder> = {
  gateway: builder(gatewayConfig, buildGateway),
  router: builder(routerConfig, buildRouter),
  tools: builder(toolsConfig, buildTools),
  a2a: builder(a2aConfig, buildA2a),
  state: builder(stateConfig, buildState),
  tasks: builder(tasksConfig, buildTasks),
};
const names = subjects(namespace);
const EventSchema = z.object({ id: z.string() });
const violation = /Permissions Violation|Publish Violation|Subscription Violation/i;

let nats: ComposeNatsServer;
let database: TestDatabase;
let admin: NatsBus;

function connectAs(user: string, pass = nats.passwords[user] as string): Promise<NatsBus> {
  return connectNatsBus({
    namespace,
    servers: [nats.url],
    user,
    pass,
    requestTimeoutMs: () => 5000,
  });
}

/** Server log lines about a refused publish or subscribe since `offset`. */
async function violationsSince(offset: number): Promise<string[]> {
  const text = (await nats.log()).slice(offset);
  return text.split('\n').filter((line) => violation.test(line));
}

beforeAll(async () => {
  nats = await startComposeNatsServer({
    configDir,
    namespace,
    users: [...deployedServices.map((service) => service.short), 'admin'],
  });
  database = await createTestDatabase(namespace);
  admin = await connectAs('admin');
});

afterAll(async () => {
  await admin?.close();
  await nats?.stop();
  await database?.drop();
  // The services' Redis keys (gateway leases, caches) live under this namespace.
  await cleanupNamespace(namespace);
});

describe('the compose NATS config', () => {
  it('moves to another namespace by replacing `sb.` and `sb_`, as the docs say', () => {
    const text = readFileSync(join(configDir, 'permissions.json'), 'utf8');
    const sbToken = /(^|[^a-z0-9])sb[._]|_sb_/;
    expect(text).toMatch(sbToken);
    const rewritten = JSON.parse(forNamespace(text, namespace)) as Record<string, unknown>;
    expect(JSON.stringify(rewritten)).not.toMatch(sbToken);
    expect(JSON.stringify(rewritten)).toContain(`$KV.${namespace}_config.>`);
  });

  it('refuses a service user with a wrong password', async () => {
    await expect(connectAs('router', 'not-the-password')).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
      message: expect.stringContaining('refused the connection'),
    });
  });

  it('lets all six services start, serve and take live config, each as its own user', async () => {
    const offset = (await nats.log()).length;
    const started: Service[] = [];
    try {
      for (const { short } of deployedServices) {
        const env = {
          SB_NAMESPACE: namespace,
          SB_POSTGRES__URL: database.url,
          SB_REDIS__URL: testInfra.redisUrl,
          SB_NATS__SERVERS: nats.url,
          SB_NATS__USER: short,
          SB_NATS__PASS: nats.passwords[short],
          [`SB_${short.toUpperCase()}__PORT`]: '0',
        };
        const log = createLogger({
          service: short,
          instanceId: short,
          level: 'error',
          format: 'json',
        });
        const service = await builders[short](env, log, `${short}-nats-users`);
        started.push(service);
        await service.start();
      }
      for (const { short } of deployedServices) {
        const rpc = (operation: string) => names.rpc(short, operation);
        expect(await admin.request(rpc('ping'), PingRpc, {})).toMatchObject({ service: short });
        await admin.request(rpc('config.set'), ConfigSetRpc, { key: 'log.level', value: 'warn' });
        await waitFor(async () => {
          const reply = await admin.request(rpc('config.get'), ConfigGetRpc, { key: 'log.level' });
          return reply.settings[0]?.source === 'override';
        });
        await admin.request(rpc('config.unset'), ConfigUnsetRpc, { key: 'log.level' });
        expect(await admin.request(rpc('stats'), StatsRpc, {})).toMatchObject({ service: short });
      }
    } finally {
      await Promise.all(started.map((service) => service.stop()));
    }
    expect(await violationsSince(offset)).toEqual([]);
  });

  it.each(deployedServices.map((service) => service.short))(
    'gives %s every bus feature: events, durable and ephemeral consumers, the config bucket',
    async (short) => {
      const offset = (await nats.log()).length;
      const bus = await connectAs(short);
      try {
        const id = randomUUID();
        const seen: string[] = [];
        const durable = await bus.consumeEvents({
          filterSubject: names.event('probe', short),
          durableName: `probe_${short}`,
          deliverFrom: 'all',
          schema: EventSchema,
          handler: async ({ payload }) => {
            seen.push(`durable:${payload.id}`);
          },
        });
        const ephemeral = await bus.consumeEvents({
          filterSubject: names.event('probe', short),
          schema: EventSchema,
          handler: async ({ payload }) => {
            seen.push(`ephemeral:${payload.id}`);
          },
        });
        await bus.publishEvent(names.event('probe', short), EventSchema, { id });
        await waitFor(() => seen.length === 2, { what: `${short} to consume its event` });
        expect(seen.sort()).toEqual([`durable:${id}`, `ephemeral:${id}`]);
        await Promise.all([durable.stop(), ephemeral.stop()]);

        const bucket = await bus.kv(names.configBucket);
        const changes: unknown[] = [];
        const watch = await bucket.watch(`${short}.probe.>`, (change) => changes.push(change));
        await bucket.put(`${short}.probe.key`, { id });
        expect(await bucket.get(`${short}.probe.key`)).toMatchObject({ value: { id } });
        expect(await bucket.entries(`${short}.probe.>`)).toEqual(
          new Map([[`${short}.probe.key`, { id }]]),
        );
        await waitFor(() => changes.length > 0, { what: `${short}'s watch to see the change` });
        await bucket.delete(`${short}.probe.key`);
        await watch.stop();
      } finally {
        await bus.close();
      }
      expect(await violationsSince(offset)).toEqual([]);
    },
  );

  it('refuses a service that serves or subscribes to another service subjects', async () => {
    const offset = (await nats.log()).length;
    const state = await connectAs('state');
    try {
      // Serving another service's RPCs would let a replica answer for it.
      state.serve(names.rpc('router', 'ping'), PingRpc, async () => ({}) as never, {
        queue: names.queueGroup('router'),
      });
      await waitFor(async () => (await violationsSince(offset)).length > 0, {
        what: 'the server to refuse the subscription',
      });
      const [line] = await violationsSince(offset);
      expect(line).toContain(names.rpc('router', 'ping'));
      expect(line).toMatch(/subscri/i);
    } finally {
      await state.close();
    }
  });

  it('refuses an internal service a request to another internal service, not to the gateway', async () => {
    const offset = (await nats.log()).length;
    const state = await connectAs('state');
    try {
      // Nobody serves these here: the allowed request finds no responder, the refused one is
      // stopped by the server before it could reach one.
      await expect(state.request(names.rpc('gateway', 'ping'), PingRpc, {})).rejects.toMatchObject({
        code: 'E_UNAVAILABLE',
      });
      expect(await violationsSince(offset)).toEqual([]);
      await expect(state.request(names.rpc('router', 'ping'), PingRpc, {})).rejects.toBeDefined();
      await waitFor(async () => (await violationsSince(offset)).length > 0, {
        what: 'the server to refuse the publish',
      });
      const [line] = await violationsSince(offset);
      expect(line).toContain(names.rpc('router', 'ping'));
      expect(line).toMatch(/publish/i);
    } finally {
      await state.close();
    }
  });

  it('lets the edge services (gateway, tools, a2a) send requests to any service', async () => {
    const offset = (await nats.log()).length;
    for (const short of ['gateway', 'tools', 'a2a'] as const) {
      const bus = await connectAs(short);
      try {
        await expect(bus.request(names.rpc('state', 'ping'), PingRpc, {})).rejects.toMatchObject({
          code: 'E_UNAVAILABLE',
        });
      } finally {
        await bus.close();
      }
    }
    expect(await violationsSince(offset)).toEqual([]);
  });
});
