import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { connectNatsBus, type NatsBus } from '@switchboard/bus';
import { type LiveConfig, loadConfig } from '@switchboard/config';
import { createLogger, type RootLogger } from '@switchboard/logger';
import { ConfigGetRpc, ConfigSetRpc, ConfigUnsetRpc } from '@switchboard/protocol';
import { createTestContext, type TestContext, testInfra, waitFor } from '@switchboard/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from './create-service.ts';
import { createTestFolder, type TestServiceConfig, testServiceConfig } from './test-service.ts';

interface Replica {
  config: LiveConfig<TestServiceConfig>;
  log: RootLogger;
  lines: string[];
  service: Service;
}

let context: TestContext;
let bus: NatsBus;
let folder: ReturnType<typeof createTestFolder>;
let configFile: string;
let migrations: string;
const running: Replica[] = [];

function writeConfigFile(yaml: string): void {
  writeFileSync(configFile, yaml);
}

async function startReplica(name: string): Promise<Replica> {
  const env = { ...context.env, SWITCHBOARD_CONFIG: configFile, SB_TASKS__PORT: '0' };
  const config = await loadConfig(testServiceConfig, { env });
  const output = new PassThrough();
  const lines: string[] = [];
  output.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const log = createLogger({
    service: 'tasks',
    instanceId: name,
    level: config.current.log.level,
    format: 'json',
    destination: output,
  });
  const service = createService({
    service: 'tasks',
    version: '0.0.0-test',
    config,
    log,
    instanceId: name,
    migrationsFolder: migrations,
    listen: () => config.current.tasks,
  });
  await service.start();
  const replica = { config, log, lines, service };
  running.push(replica);
  return replica;
}

async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((replica) => replica.service.stop()));
}

const rpc = (operation: string) => bus.subjects.rpc('tasks', operation);

beforeAll(async () => {
  context = await createTestContext();
  bus = await connectNatsBus({
    namespace: context.namespace,
    servers: testInfra.natsServers.split(','),
    requestTimeoutMs: () => 5000,
  });
  folder = createTestFolder();
  configFile = join(folder.root, 'switchboard.yaml');
  migrations = folder.migrations;
});
afterEach(stopAll);
afterAll(async () => {
  await bus?.close();
  await context?.cleanup();
  folder.remove();
});

describe('live configuration across replicas', () => {
  it('applies an override set through the RPC on every replica, and keeps it across restarts', async () => {
    writeConfigFile('tasks:\n  retry:\n    baseDelayMs: 200\n');
    const replicas = [await startReplica('a'), await startReplica('b')];
    expect(replicas.map((replica) => replica.config.current.tasks.retry.baseDelayMs)).toEqual([
      200, 200,
    ]);

    const reply = await bus.request(rpc('config.set'), ConfigSetRpc, {
      key: 'tasks.retry.baseDelayMs',
      value: 500,
    });
    expect(reply).toMatchObject({
      restartRequired: false,
      setting: { key: 'tasks.retry.baseDelayMs', value: 500, source: 'override', live: true },
    });
    await bus.request(rpc('config.set'), ConfigSetRpc, { key: 'log.level', value: 'debug' });
    await waitFor(
      () =>
        replicas.every(
          (replica) =>
            replica.config.current.tasks.retry.baseDelayMs === 500 && replica.log.level === 'debug',
        ),
      { what: 'both replicas to apply the overrides' },
    );

    await stopAll();
    const restarted = [await startReplica('a2'), await startReplica('b2')];
    for (const replica of restarted) {
      expect(replica.config.current.tasks.retry.baseDelayMs).toBe(500);
      expect(replica.config.current.log.level).toBe('debug');
    }
    const report = await bus.request(rpc('config.get'), ConfigGetRpc, { key: 'tasks.retry' });
    expect(report.settings).toContainEqual(
      expect.objectContaining({ key: 'tasks.retry.baseDelayMs', value: 500, source: 'override' }),
    );

    await bus.request(rpc('config.unset'), ConfigUnsetRpc, { key: 'tasks.retry.baseDelayMs' });
    await bus.request(rpc('config.unset'), ConfigUnsetRpc, { key: 'log.level' });
    await waitFor(
      () => restarted.every((replica) => replica.config.current.tasks.retry.baseDelayMs === 200),
      { what: 'both replicas to fall back to the file value' },
    );
  });

  it('applies a file change on every replica without clobbering an override', async () => {
    writeConfigFile('tasks:\n  retry:\n    baseDelayMs: 200\n    maxAttempts: 3\n');
    const replicas = [await startReplica('a'), await startReplica('b')];
    await bus.request(rpc('config.set'), ConfigSetRpc, {
      key: 'tasks.retry.baseDelayMs',
      value: 900,
    });
    await waitFor(() =>
      replicas.every((replica) => replica.config.current.tasks.retry.baseDelayMs === 900),
    );

    writeConfigFile('tasks:\n  retry:\n    baseDelayMs: 300\n    maxAttempts: 7\n');
    await waitFor(
      () => replicas.every((replica) => replica.config.current.tasks.retry.maxAttempts === 7),
      { what: 'both replicas to apply the file change' },
    );
    for (const replica of replicas) {
      expect(replica.config.current.tasks.retry.baseDelayMs).toBe(900);
    }
    await bus.request(rpc('config.unset'), ConfigUnsetRpc, { key: 'tasks.retry.baseDelayMs' });
    await waitFor(() =>
      replicas.every((replica) => replica.config.current.tasks.retry.baseDelayMs === 300),
    );
  });

  it('refuses an invalid update with the reason and keeps the old value', async () => {
    writeConfigFile('tasks:\n  retry:\n    baseDelayMs: 200\n');
    const replica = await startReplica('a');
    const refusal = await bus
      .request(rpc('config.set'), ConfigSetRpc, { key: 'tasks.retry.baseDelayMs', value: -5 })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'E_VALIDATION' });
    expect((refusal as Error).message).toContain('tasks.retry.baseDelayMs');
    expect(replica.config.current.tasks.retry.baseDelayMs).toBe(200);

    const unknown = await bus
      .request(rpc('config.set'), ConfigSetRpc, { key: 'tasks.retry.jitter', value: 1 })
      .catch((error: unknown) => error);
    expect(unknown).toMatchObject({ code: 'E_NOT_FOUND' });

    const restartOnly = await bus.request(rpc('config.set'), ConfigSetRpc, {
      key: 'tasks.host',
      value: '0.0.0.0',
    });
    expect(restartOnly.restartRequired).toBe(true);
    await waitFor(async () => {
      const { settings } = await bus.request(rpc('config.get'), ConfigGetRpc, {
        key: 'tasks.host',
      });
      return settings[0]?.pendingRestart?.value === '0.0.0.0' && settings[0].value === '127.0.0.1';
    });
    await bus.request(rpc('config.unset'), ConfigUnsetRpc, { key: 'tasks.host' });
  });

  it('skips an invalid override already stored, logs it, and starts', async () => {
    writeConfigFile('tasks:\n  retry:\n    baseDelayMs: 200\n');
    // Keys are `<service>.<setting key>`: the tasks service's own `tasks.retry...` settings.
    const bucket = await bus.kv(bus.subjects.configBucket);
    await bucket.put('tasks.tasks.retry.baseDelayMs', 'fast');
    await bucket.put('tasks.tasks.retry.maxAttempts', 9);
    const replica = await startReplica('a');
    expect(replica.config.current.tasks.retry.baseDelayMs).toBe(200);
    expect(replica.config.current.tasks.retry.maxAttempts).toBe(9);
    const warning = replica.lines.find((line) => line.includes('tasks.retry.baseDelayMs'));
    expect(warning).toContain('"level":"warn"');
    await bucket.delete('tasks.tasks.retry.baseDelayMs');
    await bucket.delete('tasks.tasks.retry.maxAttempts');
  });
});
