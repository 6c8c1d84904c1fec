import { PassThrough } from 'node:stream';
import { loadConfig } from '@switchboard/config';
import { connectPostgres, type Database } from '@switchboard/db';
import { createLogger } from '@switchboard/logger';
import type { Service } from '@switchboard/service';
import { createTestContext, type TestContext } from '@switchboard/testing';
import { build } from '../app.ts';
import { gatewayConfig } from '../config.ts';
import { createApiKeyStore } from '../db/api-key-store.ts';

/**
 * Builds and starts a gateway in this process, in the test file's namespace and database, on a
 * free port, with silent logs; `env` adds `SB_*` settings. Stop it in `afterAll`.
 */
export async function startTestGateway(
  context: TestContext,
  gatewayId: string,
  env: Record<string, string> = {},
): Promise<{ service: Service; port: number }> {
  const config = await loadConfig(gatewayConfig, {
    env: { ...context.env, SB_GATEWAY__PORT: '0', ...env },
  });
  const log = createLogger({
    service: 'gateway',
    instanceId: gatewayId,
    level: 'silent',
    format: 'json',
    destination: new PassThrough(),
  });
  const service = build(config, log, gatewayId, context.connections);
  return { service, port: (await service.start()).port };
}

/** A gateway test file's world: its context and database, an agent key, its gateways. */
export interface GatewayTestWorld {
  context: TestContext;
  database: Database;
  /** A token of an API key that may act as any agent id. */
  agentToken: string;
  /** Starts a gateway in this world (stopped by `stop()`). */
  start(
    gatewayId: string,
    env?: Record<string, string>,
  ): Promise<{ service: Service; port: number }>;
  stop(): Promise<void>;
}

/** Creates a world for one test file; call `stop()` in `afterAll`. */
export async function createGatewayTestWorld(): Promise<GatewayTestWorld> {
  const context = await createTestContext();
  const database = await connectPostgres(
    { url: context.database.url, poolMax: 2, connectTimeoutMs: 2000 },
    'test',
  );
  const { token } = await createApiKeyStore(database).create({
    name: 'agents',
    agentIds: ['*'],
    roles: [],
    grants: [],
    createdBy: 'test',
  });
  const running: Service[] = [];
  return {
    context,
    database,
    agentToken: token,
    start: async (gatewayId, env = {}) => {
      const started = await startTestGateway(context, gatewayId, env);
      running.push(started.service);
      return started;
    },
    stop: async () => {
      await Promise.all(running.map((service) => service.stop()));
      await database.close();
      await context.cleanup();
    },
  };
}

/** The values of a gateway's metric, by labels (the test fails when there is no such metric). */
export async function metricValues(
  gateway: Service,
  name: string,
): Promise<Array<{ labels: object; value: number }>> {
  const metric = gateway.metrics.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels, value }));
}
