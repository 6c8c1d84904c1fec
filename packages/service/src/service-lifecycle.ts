import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { type AnyServiceConfig, type ConfigOf, loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/logger';
import { ConfigGetRpc, PingRpc, StatsRpc } from '@switchboard/protocol';
import { createTestContext, spawnService, type TestContext, testInfra } from '@switchboard/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildService } from './start-process.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * What every service must do (the foundation issue): boot against the real infrastructure,
 * report ready, answer ping, config and stats over the bus, run its migrations once even when
 * two replicas start together, stop cleanly on SIGTERM, and refuse to start with a clear
 * message when a setting is bad or a dependency is unreachable.
 */
export function describeServiceLifecycle<D extends AnyServiceConfig>(options: {
  folder: string;
  definition: D;
  build: BuildService<ConfigOf<D>>;
}): void {
  const short = options.definition.service;
  const portVariable = `SB_${short.toUpperCase()}__PORT`;

  describe(`${short} service lifecycle`, () => {
    let context: TestContext;
    let bus: NatsBus;
    const rpc = (operation: string) => bus.subjects.rpc(short, operation);

    beforeAll(async () => {
      context = await createTestContext();
      bus = await connectNatsBus({
        namespace: context.namespace,
        servers: testInfra.natsServers.split(','),
        requestTimeoutMs: () => 5000,
      });
    });
    afterAll(async () => {
      await bus?.close();
      await context?.cleanup();
    });

    it('boots in process, reports ready, answers ping, config and stats, and stops', async () => {
      const config = await loadConfig(options.definition, {
        env: { ...context.env, [portVariable]: '0' },
      });
      const log = createLogger({
        service: short,
        instanceId: 'in-process',
        level: 'silent',
        format: 'json',
      });
      const service = options.build(config, log, 'in-process');
      expect((await service.http.inject('/readyz')).statusCode).toBe(503);

      await service.start();
      const ready = await service.http.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({
        status: 'ready',
        checks: { nats: 'ok', postgres: 'ok', redis: 'ok' },
      });
      expect((await service.http.inject('/healthz')).statusCode).toBe(200);
      const metrics = await service.http.inject('/metrics');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      expect(metrics.body).toContain('sb_build_info');

      const pong = await bus.request(rpc('ping'), PingRpc, {});
      expect(pong).toMatchObject({ service: short, instanceId: 'in-process' });
      const settings = await bus.request(rpc('config.get'), ConfigGetRpc, { key: 'namespace' });
      expect(settings.settings).toContainEqual(
        expect.objectContaining({ key: 'namespace', value: context.namespace, source: 'env' }),
      );
      const stats = await bus.request(rpc('stats'), StatsRpc, {});
      expect(stats).toMatchObject({ service: short, instanceId: 'in-process' });
      // ping and config.get were served before this request.
      expect(stats.figures.rpcServed).toBeGreaterThanOrEqual(2);
      expect(stats.figures.rssBytes).toBeGreaterThan(0);

      await service.stop();
      await service.stop();
      await expect(bus.request(rpc('ping'), PingRpc, {})).rejects.toMatchObject({
        code: 'E_UNAVAILABLE',
      });
    });

    it('starts two replicas at once, migrates once, and both stop cleanly on SIGTERM', async () => {
      const env = { ...context.env, [portVariable]: '0', SB_LOG__LEVEL: 'info' };
      const replicas = await Promise.all([
        spawnService(options.folder, env),
        spawnService(options.folder, env),
      ]);
      for (const replica of replicas) {
        const response = await fetch(`http://127.0.0.1:${replica.port}/readyz`);
        expect(response.status).toBe(200);
      }
      const files = readdirSync(join(repoRoot, 'apps', options.folder, 'drizzle')).filter((file) =>
        file.endsWith('.sql'),
      );
      const sql = postgres(context.database.url, { max: 1 });
      try {
        const rows = await sql.unsafe(
          `select count(*)::int as n from "${short}"."__drizzle_migrations"`,
        );
        expect(rows[0]?.n).toBe(files.length);
      } finally {
        await sql.end();
      }
      const pong = await bus.request(rpc('ping'), PingRpc, {});
      expect(pong.service).toBe(short);

      const exits = await Promise.all(replicas.map((replica) => replica.stop('SIGTERM')));
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      for (const replica of replicas) {
        expect(replica.output.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
      }
    });

    it('refuses to start with a bad setting, naming the variable and what is allowed', async () => {
      const failure = await spawnService(options.folder, {
        ...context.env,
        [portVariable]: 'seventy',
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toContain(portVariable);
      expect(failure).toContain(`${short}.port`);
    });

    it('says which dependency is unreachable, where, and how to start it', async () => {
      const failure = await spawnService(options.folder, {
        ...context.env,
        SB_POSTGRES__URL: 'postgres://postgres@127.0.0.1:1/switchboard',
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toContain('Postgres is unreachable at 127.0.0.1:1');
      expect(failure).toContain('pg_ctlcluster');
      expect(failure).not.toMatch(/\n\s+at /);
    });
  });
}
