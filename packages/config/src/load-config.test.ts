import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';
import { routerConfig, toolsConfig } from './test-fixtures.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-config-load-'));
  await mkdir(join(dir, 'conf'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadError(
  env: Record<string, string>,
  config: typeof routerConfig | typeof toolsConfig = routerConfig,
) {
  const error = await loadConfig(config, { env, cwd: dir }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  it('parses the defaults when nothing is given', async () => {
    const config = await loadConfig(routerConfig, { env: {} });
    expect(config.service).toBe('router');
    expect(config.current.router).toEqual({
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000 },
      queue: { maxInFlight: 10 },
      topics: [],
      labels: {},
    });
    expect(config.current.postgres.url).toBe('postgres://postgres@127.0.0.1:5432/switchboard');
    expect(new Set(config.report().map((setting) => setting.source))).toEqual(new Set(['default']));
    expect(Object.isFrozen(config.current.router.retry)).toBe(true);
  });

  it('layers a YAML file under env vars and reports where each value came from', async () => {
    await writeFile(
      join(dir, 'conf', 'sb.yaml'),
      [
        'namespace: fromfile',
        'log: { level: debug }',
        'router:',
        '  retry: { maxAttempts: 3, baseDelayMs: 50 }',
        'gateway: { port: 7700 }',
      ].join('\n'),
    );
    const config = await loadConfig(routerConfig, {
      cwd: dir,
      env: {
        SWITCHBOARD_CONFIG: 'conf/sb.yaml',
        SB_ROUTER__RETRY__MAX_ATTEMPTS: '7',
        SB_NATS__SERVERS: 'nats://a:4222,nats://b:4222',
        SB_GATEWAY__PORT: 'not a port',
        SB_API_KEY: 'sk_123',
      },
    });
    expect(config.current.namespace).toBe('fromfile');
    expect(config.current.router.retry).toEqual({
      maxAttempts: 7,
      baseDelayMs: 50,
      maxDelayMs: 30_000,
    });
    expect(config.current.nats.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    const sources = Object.fromEntries(config.report().map((s) => [s.key, s.source]));
    expect(sources).toMatchObject({
      namespace: 'file',
      'log.level': 'file',
      'router.retry.maxAttempts': 'env',
      'router.retry.baseDelayMs': 'file',
      'router.retry.maxDelayMs': 'default',
      'nats.servers': 'env',
      'postgres.url': 'default',
    });
  });

  it('reads a JSON file given by an absolute path', async () => {
    const path = join(dir, 'sb.json');
    await writeFile(path, JSON.stringify({ router: { queue: { maxInFlight: 1 } } }));
    const config = await loadConfig(routerConfig, { env: { SWITCHBOARD_CONFIG: path } });
    expect(config.current.router.queue.maxInFlight).toBe(1);
    expect(config.report('router.queue')).toEqual([
      { key: 'router.queue.maxInFlight', value: 1, source: 'file', live: false },
    ]);
  });

  it('reads env values as numbers, booleans, lists and JSON by the schema type', async () => {
    const config = await loadConfig(routerConfig, {
      env: {
        SB_SHUTDOWN_TIMEOUT_MS: '2500',
        SB_REDIS__TLS__REJECT_UNAUTHORIZED: '0',
        SB_ROUTER__TOPICS: 'orders.*, billing.>',
        SB_ROUTER__LABELS: '{"zone":"eu-1"}',
        SWITCHBOARD_CONFIG: ' ',
      },
    });
    expect(config.current.shutdownTimeoutMs).toBe(2500);
    expect(config.current.redis.tls).toEqual({ enabled: true, rejectUnauthorized: false });
    expect(config.current.router.topics).toEqual(['orders.*', 'billing.>']);
    expect(config.current.router.labels).toEqual({ zone: 'eu-1' });
  });

  it('fails with one message naming every bad key, its source and what is allowed', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'postgres:\n  url: mysql://app:hunter2@db/x\nrouter:\n  retri: {}\nroutr: {}\n',
    );
    const error = await loadError({
      SWITCHBOARD_CONFIG: 'bad.yaml',
      SB_ROUTER__RETRY__MAX_ATTEMPTS: 'abc',
      SB_ROUTER__RETRYY: '3',
      SB_LOG__LEVEL: 'loud',
      SB_SHUTDOWN_TIMEOUT_MS: '5',
      SB_NATS__SERVERS: 'nats://a:4222,http://u:pw@b',
      SB_ROUTER____X: '1',
    });
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe(
      [
        'Invalid configuration for router:',
        '  - routr (file bad.yaml): unknown section; known sections: namespace, mode, instanceId, shutdownTimeoutMs, readinessTimeoutMs, configWatchIntervalMs, postgres, redis, nats, log, payloads, principals, gateway, router, tools, a2a, state, tasks',
        '  - env SB_ROUTER____X: malformed name: `__` separates keys, each key is letters and digits joined by `_`',
        '  - shutdownTimeoutMs = 5 (env SB_SHUTDOWN_TIMEOUT_MS): must be an integer from 100 to 120000',
        '  - postgres.url = "mysql://app:***@db/x" (file bad.yaml): must be a postgres:// or postgresql:// URL',
        '  - nats.servers[1] = "http://u:***@b" (env SB_NATS__SERVERS): must be a nats:// or tls:// URL',
        '  - log.level = "loud" (env SB_LOG__LEVEL): must be one of trace, debug, info, warn, error, fatal, silent',
        '  - router.retry.maxAttempts = "abc" (env SB_ROUTER__RETRY__MAX_ATTEMPTS): expected an integer from 1 to 100',
        '  - router.retri = {} (file bad.yaml): unknown setting; known keys under router: retry, queue, topics, labels, signingKey, region',
        '  - router.retryy = "3" (env SB_ROUTER__RETRYY): unknown setting; known keys under router: retry, queue, topics, labels, signingKey, region',
      ].join('\n'),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.issues).toHaveLength(9);
  });

  it('fails when the file SWITCHBOARD_CONFIG names is missing', async () => {
    const error = await loadError({ SWITCHBOARD_CONFIG: './missing.yaml' });
    expect(error.message).toBe(
      'Invalid configuration for router:\n  - file ./missing.yaml: file not found (SWITCHBOARD_CONFIG names it; fix the path or unset the variable)',
    );
  });

  it('names a required key that is missing and the variable that sets it', async () => {
    const error = await loadError({}, toolsConfig);
    expect(error.message).toBe(
      'Invalid configuration for tools:\n  - tools.publicUrl (not set): required: a string; set it in the file or SB_TOOLS__PUBLIC_URL',
    );
    const config = await loadConfig(toolsConfig, {
      env: { SB_TOOLS__PUBLIC_URL: 'https://tools.example' },
    });
    expect(config.current.tools).toEqual({ publicUrl: 'https://tools.example', timeoutMs: 1000 });
  });

  it('applies cross-field rules, shared and the service own, and redacts secrets', async () => {
    await writeFile(
      join(dir, 'tls.yaml'),
      'redis:\n  tls:\n    cert: c.pem\nrouter:\n  retry:\n    baseDelayMs: 60000\n',
    );
    const error = await loadError({
      SWITCHBOARD_CONFIG: 'tls.yaml',
      SB_NATS__USER: 'svc',
      SB_NATS__TOKEN: 'tok-secret',
    });
    expect(error.message).toBe(
      [
        'Invalid configuration for router:',
        '  - redis.tls.key (not set): required with tls.cert',
        '  - nats.pass (not set): required with nats.user',
        '  - nats.token = "***" (env SB_NATS__TOKEN): not allowed with nats.user/nats.pass: use a token or a user and password',
        '  - router.retry.maxDelayMs = 30000 (default): must be >= router.retry.baseDelayMs',
      ].join('\n'),
    );
    expect(error.message).not.toContain('tok-secret');
  });

  it('names the variable of a section given as JSON and hides the secrets in it', async () => {
    const error = await loadError({ SB_NATS: '{"pass":"pw-secret","token":"t"}' });
    expect(error.message).toBe(
      'Invalid configuration for router:\n  - nats.user (not set): required with nats.pass\n  - nats.token = "***" (env SB_NATS): not allowed with nats.user/nats.pass: use a token or a user and password',
    );
    const broken = await loadError({ SB_NATS: '{"pass":"pw-secret",}' });
    expect(broken.message).toBe(
      'Invalid configuration for router:\n  - nats = "***" (env SB_NATS): expected an object (in env: JSON)',
    );
  });

  it('names the deepest variable behind a bad value', async () => {
    const error = await loadError({
      SB_NATS__TLS: '{"enabled":"maybe","ca":"a.pem"}',
      SB_NATS__TLS__CA: '',
    });
    expect(error.message).toBe(
      [
        'Invalid configuration for router:',
        '  - nats.tls.enabled = "maybe" (env SB_NATS__TLS): expected true or false',
        '  - nats.tls.ca = "" (env SB_NATS__TLS__CA): must have >= 1 characters',
      ].join('\n'),
    );
  });

  it('describes lists, strings and unions by what they allow', async () => {
    const error = await loadError({
      SB_ROUTER__TOPICS: 'a,,b',
      SB_ROUTER__SIGNING_KEY: 'short',
      SB_NATS__SERVERS: '[]',
      SB_LOG__FILE: '{"path":"sb.log","frequency":"weekly"}',
    });
    expect(error.message).toBe(
      [
        'Invalid configuration for router:',
        '  - nats.servers = [] (env SB_NATS__SERVERS): must have >= 1 items',
        '  - log.file.frequency = "weekly" (env SB_LOG__FILE): must be one of daily, hourly; or expected an integer >= 1000',
        '  - router.topics[1] = "" (env SB_ROUTER__TOPICS): must have >= 1 characters',
        '  - router.signingKey = "***" (env SB_ROUTER__SIGNING_KEY): must have >= 8 characters',
      ].join('\n'),
    );
  });
});
