import { PassThrough } from 'node:stream';
import type { LiveConfig } from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import { createTestContext, type TestContext } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from './create-service.ts';
import { generateInstanceId } from './instance-id.ts';
import { startServiceProcess } from './start-process.ts';
import { createTestFolder, type TestServiceConfig, testServiceConfig } from './test-service.ts';

let context: TestContext;
let folder: ReturnType<typeof createTestFolder>;

function build(config: LiveConfig<TestServiceConfig>, log: RootLogger, instanceId: string) {
  return createService({
    service: 'tasks',
    version: '0.0.0-test',
    config,
    log,
    instanceId,
    migrationsFolder: folder.migrations,
    listen: () => config.current.tasks,
  });
}

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

beforeAll(async () => {
  context = await createTestContext();
  folder = createTestFolder();
});
afterAll(async () => {
  folder.remove();
  await context.cleanup();
});

describe('startServiceProcess', () => {
  it('starts a service with a generated instance id and the configured shutdown timeout', async () => {
    const stderr = capture();
    const started = await startServiceProcess({
      definition: testServiceConfig,
      build,
      env: {
        ...context.env,
        SB_TASKS__PORT: '0',
        SB_LOG__LEVEL: 'silent',
        SB_SHUTDOWN_TIMEOUT_MS: '2500',
      },
      stderr: stderr.stream,
    });
    expect(started?.shutdownTimeoutMs).toBe(2500);
    expect(started?.log.bindings()).toMatchObject({
      service: 'tasks',
      instanceId: expect.stringMatching(/^tasks-/),
    });
    expect((await started?.service.http.inject('/readyz'))?.statusCode).toBe(200);
    await started?.service.stop();
    expect(stderr.text()).toBe('');
  });

  it('reports every bad setting on stderr and starts nothing', async () => {
    const stderr = capture();
    const started = await startServiceProcess({
      definition: testServiceConfig,
      build,
      env: { ...context.env, SB_TASKS__RETRY__MAX_ATTEMPTS: '0', SB_REDIS__URL: 'http://x' },
      stderr: stderr.stream,
    });
    expect(started).toBeUndefined();
    expect(stderr.text()).toContain('Invalid configuration for tasks');
    expect(stderr.text()).toContain('SB_TASKS__RETRY__MAX_ATTEMPTS');
    expect(stderr.text()).toContain('SB_REDIS__URL');
  });

  it('fails start-up naming every unreachable dependency, and leaves no connection open', async () => {
    const started = await startServiceProcess({
      definition: testServiceConfig,
      build,
      env: {
        ...context.env,
        SB_TASKS__PORT: '0',
        SB_LOG__LEVEL: 'silent',
        SB_REDIS__URL: 'redis://127.0.0.1:1',
        SB_POSTGRES__URL: 'postgres://postgres@127.0.0.1:1/switchboard',
      },
      stderr: capture().stream,
    });
    expect(started).toBeUndefined();
  });
});

describe('createService', () => {
  it('rejects start with one E_UNAVAILABLE naming each unreachable dependency', async () => {
    const { loadConfig } = await import('@switchboard/config');
    const { createLogger } = await import('@switchboard/logger');
    const config = await loadConfig(testServiceConfig, {
      env: {
        ...context.env,
        SB_TASKS__PORT: '0',
        SB_REDIS__URL: 'redis://127.0.0.1:1',
        SB_POSTGRES__URL: 'postgres://postgres@127.0.0.1:1/switchboard',
      },
    });
    const log = createLogger({
      service: 'tasks',
      instanceId: 'x',
      level: 'silent',
      format: 'json',
    });
    const service = build(config, log, 'x');
    const error = await service.start().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'E_UNAVAILABLE' });
    expect((error as Error).message).toMatch(
      /^Postgres is unreachable at 127\.0\.0\.1:1.*\nRedis is unreachable at 127\.0\.0\.1:1/s,
    );
    await expect(service.start()).rejects.toThrow('cannot start a service that is starting');
    await service.stop();
  });
});

describe('generateInstanceId', () => {
  it('names the service and host and differs between replicas', () => {
    const first = generateInstanceId('router');
    expect(first).toMatch(/^router-[a-z0-9-]+-[0-9a-f]{6}$/);
    expect(generateInstanceId('router')).not.toBe(first);
  });
});
