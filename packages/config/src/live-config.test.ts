import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineServiceConfig } from './define.ts';
import { loadConfig } from './load-config.ts';
import type { OverrideStore } from './override-store.ts';
import { MemoryOverrideStore, recordingLogger, routerConfig, waitFor } from './test-fixtures.ts';

async function started(env: Record<string, string> = {}, initial: Record<string, unknown> = {}) {
  const config = await loadConfig(routerConfig, { env });
  const store = new MemoryOverrideStore(initial);
  const log = recordingLogger();
  await config.start(store, { log });
  return { config, store, log };
}

async function rejection(promise: Promise<unknown>): Promise<SbError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SbError);
  return error as SbError;
}

describe('LiveConfig overrides', () => {
  it('applies a live setting at once, stores it and notifies with the changed keys', async () => {
    const { config, store, log } = await started();
    const before = config.current;
    const seen: [number, number, readonly string[]][] = [];
    config.onChange((next, previous, keys) =>
      seen.push([next.router.retry.maxAttempts, previous.router.retry.maxAttempts, keys]),
    );
    const result = await config.set('router.retry.maxAttempts', 9);
    expect(result).toEqual({
      setting: { key: 'router.retry.maxAttempts', value: 9, source: 'override', live: true },
      restartRequired: false,
    });
    expect(config.current.router.retry.maxAttempts).toBe(9);
    expect(before.router.retry.maxAttempts).toBe(5);
    expect(Object.isFrozen(config.current)).toBe(true);
    expect(store.values.get('router.retry.maxAttempts')).toBe(9);
    expect(seen).toEqual([[9, 5, ['router.retry.maxAttempts']]]);
    expect(log.lines).toContainEqual({
      level: 'info',
      details: { key: 'router.retry.maxAttempts', from: 5, to: 9, source: 'override' },
      message: 'config setting changed',
    });
    await config.stop();
  });

  it('refuses an invalid value with the reason and keeps the old one', async () => {
    const { config, store, log } = await started();
    const error = await rejection(config.set('router.retry.maxAttempts', 0));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe(
      'cannot set router.retry.maxAttempts: router.retry.maxAttempts = 0 (override): must be an integer from 1 to 100',
    );
    expect(config.current.router.retry.maxAttempts).toBe(5);
    expect(store.values.size).toBe(0);
    expect(log.lines.map((line) => line.level)).toEqual(['warn']);
    const rule = await rejection(config.set('router.retry.maxDelayMs', 1));
    expect(rule.message).toBe(
      'cannot set router.retry.maxDelayMs: router.retry.maxDelayMs = 1 (override): must be >= router.retry.baseDelayMs',
    );
    const missing = await rejection(config.set('log.level', undefined));
    expect(missing.code).toBe('E_VALIDATION');
    expect(missing.message).toBe('cannot set log.level: give a value (unset removes one)');
    await config.stop();
  });

  it('answers E_NOT_FOUND for an unknown key, naming the keys that exist there', async () => {
    const { config } = await started();
    const unknown = await rejection(config.set('router.retryy.maxAttempts', 1));
    expect(unknown.code).toBe('E_NOT_FOUND');
    expect(unknown.message).toBe(
      'unknown setting "router.retryy.maxAttempts"; known keys under router: router.retry, router.queue, router.topics, router.labels, router.signingKey, router.region',
    );
    const section = await rejection(config.set('router.retry', { maxAttempts: 1 }));
    expect(section.message).toMatch(
      /^unknown setting "router.retry"; known keys under router.retry: router.retry.maxAttempts, /,
    );
    const top = await rejection(config.unset('nope'));
    expect(top.message).toMatch(
      /^unknown setting "nope"; known keys under the top level: namespace, mode, /,
    );
    expect(() => config.report('router.nope')).toThrow(/unknown setting "router.nope"/);
    await config.stop();
  });

  it('refuses to override a setting read before the override store opens', async () => {
    const { config } = await started();
    const error = await rejection(config.set('nats.servers', ['nats://other:4222']));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe(
      'nats.servers cannot be overridden: it is read before the override store opens; set it in the config file or env (SB_NATS__SERVERS)',
    );
    await config.stop();
  });

  it('refuses to override a secret: the override store keeps values in clear', async () => {
    const { config } = await started();
    const error = await rejection(config.set('router.signingKey', 'a-key'));
    expect(error.code).toBe('E_VALIDATION');
    expect(error.message).toBe(
      'router.signingKey cannot be overridden: it is a secret, and overrides are stored in clear in the NATS KV bucket; set it in the config file, a key file or env (SB_ROUTER__SIGNING_KEY)',
    );
    await config.stop();
  });

  it('keeps the running value of a restart-only setting and reports the pending one', async () => {
    const { config, log } = await started();
    const seen: string[][] = [];
    config.onChange((_next, _previous, keys) => seen.push([...keys]));
    const result = await config.set('router.queue.maxInFlight', 50);
    expect(result).toEqual({
      setting: {
        key: 'router.queue.maxInFlight',
        value: 10,
        source: 'default',
        live: false,
        pendingRestart: { value: 50, source: 'override' },
      },
      restartRequired: true,
    });
    expect(config.current.router.queue.maxInFlight).toBe(10);
    expect(seen).toEqual([]);
    expect(log.lines).toContainEqual({
      level: 'warn',
      details: { key: 'router.queue.maxInFlight', value: 50, source: 'override' },
      message: 'config setting takes effect after a restart',
    });
    const again = await config.set('router.queue.maxInFlight', 10);
    expect(again.restartRequired).toBe(false);
    expect(again.setting.pendingRestart).toBeUndefined();
    await config.stop();
  });

  it('reports null as the value after a restart when a restart-only override is unset', async () => {
    const { config } = await started({}, { 'router.region': 'eu-west' });
    const result = await config.unset('router.region');
    expect(result).toEqual({
      setting: {
        key: 'router.region',
        value: 'eu-west',
        source: 'override',
        live: false,
        pendingRestart: { value: null, source: 'default' },
      },
      removed: true,
      restartRequired: true,
    });
    await config.stop();
  });

  it('unsets an override: the value from the env comes back', async () => {
    const { config, store } = await started({ SB_ROUTER__RETRY__MAX_ATTEMPTS: '7' });
    await config.set('router.retry.maxAttempts', 9);
    const result = await config.unset('router.retry.maxAttempts');
    expect(result).toEqual({
      setting: { key: 'router.retry.maxAttempts', value: 7, source: 'env', live: true },
      removed: true,
      restartRequired: false,
    });
    expect(config.current.router.retry.maxAttempts).toBe(7);
    expect(store.values.has('router.retry.maxAttempts')).toBe(false);
    expect((await config.unset('router.retry.maxAttempts')).removed).toBe(false);
    await config.stop();
  });

  it('refuses an unset that would leave the config invalid', async () => {
    const { config } = await started();
    await config.set('router.retry.maxDelayMs', 100_000);
    await config.set('router.retry.baseDelayMs', 60_000);
    const error = await rejection(config.unset('router.retry.maxDelayMs'));
    expect(error.message).toBe(
      'cannot unset router.retry.maxDelayMs: router.retry.maxDelayMs = 30000 (default): must be >= router.retry.baseDelayMs',
    );
    expect(config.current.router.retry.maxDelayMs).toBe(100_000);
    await config.stop();
  });

  it('applies stored overrides at start, restart-only ones too, and skips invalid ones', async () => {
    const { config, log } = await started(
      {},
      {
        'router.retry.maxAttempts': 0,
        'router.retry.baseDelayMs': 20,
        'router.nope': 1,
        namespace: 'other',
        'router.queue.maxInFlight': 3,
        'nats.pass': 'pw',
      },
    );
    expect(config.current.router.retry).toEqual({
      maxAttempts: 5,
      baseDelayMs: 20,
      maxDelayMs: 30_000,
    });
    expect(config.current.router.queue.maxInFlight).toBe(3);
    expect(config.current.namespace).toBe('sb');
    expect(config.report('router.queue')).toEqual([
      { key: 'router.queue.maxInFlight', value: 3, source: 'override', live: false },
    ]);
    const skipped = log.lines.filter(
      (line) => line.message === 'skipped an invalid stored config override',
    );
    expect(skipped.map((line) => line.details.key)).toEqual([
      'namespace',
      'nats.pass',
      'router.nope',
      'router.retry.maxAttempts',
    ]);
    expect(skipped.every((line) => line.level === 'warn')).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain('"pw"');
    await config.stop();
  });

  it('applies what other replicas store and ignores invalid or repeated values', async () => {
    const { config, store, log } = await started();
    const seen: string[][] = [];
    config.onChange((_next, _previous, keys) => seen.push([...keys]));
    await store.put('log.level', 'debug');
    await waitFor(() => config.current.log.level === 'debug');
    await store.put('log.level', 'debug');
    await store.put('log.level', 'loud');
    await store.put('router.unknown', 1);
    await store.delete('router.retry.maxAttempts');
    await store.put('nats.requestTimeoutMs', 250);
    await waitFor(() => config.current.nats.requestTimeoutMs === 250);
    expect(config.current.log.level).toBe('debug');
    expect(seen).toEqual([['log.level'], ['nats.requestTimeoutMs']]);
    const ignored = log.lines.filter(
      (line) => line.message === 'ignored an invalid config override from the store',
    );
    expect(ignored.map((line) => line.details.key)).toEqual(['log.level', 'router.unknown']);
    await store.delete('log.level');
    await waitFor(() => config.current.log.level === 'info');
    expect(config.report('log.level')[0]?.source).toBe('default');
    await config.stop();
  });

  it('refuses a live change that conflicts with the running value of a restart-only setting', async () => {
    const definition = defineServiceConfig({
      service: 'tasks',
      section: z.strictObject({
        leaseMs: z.int().default(1000),
        heartbeatMs: z.int().default(100),
      }),
      live: ['tasks.heartbeatMs'],
      refine: (c) =>
        c.tasks.heartbeatMs < c.tasks.leaseMs
          ? []
          : [{ key: 'tasks.heartbeatMs', message: 'must be < tasks.leaseMs' }],
    });
    const config = await loadConfig(definition, { env: {} });
    const store = new MemoryOverrideStore();
    await config.start(store, { log: recordingLogger() });
    await config.set('tasks.leaseMs', 5000);
    const error = await rejection(config.set('tasks.heartbeatMs', 2000));
    expect(error.message).toBe(
      'cannot set tasks.heartbeatMs: tasks.heartbeatMs = 2000 (override): must be < tasks.leaseMs',
    );
    expect(config.current.tasks).toEqual({ leaseMs: 1000, heartbeatMs: 100 });
    await store.put('tasks.heartbeatMs', 2000);
    await store.put('tasks.heartbeatMs', 500);
    await waitFor(() => config.current.tasks.heartbeatMs === 500);
    await config.stop();
  });

  it('keeps calling listeners when one throws, and stops calling one that unsubscribed', async () => {
    const { config, log } = await started();
    const calls: string[] = [];
    config.onChange(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = config.onChange(() => calls.push('removed'));
    config.onChange(() => calls.push('kept'));
    unsubscribe();
    await config.set('log.level', 'warn');
    expect(calls).toEqual(['kept']);
    expect(log.lines.some((line) => line.message === 'config change listener failed')).toBe(true);
    await config.stop();
  });

  it('logs a change that fails to apply from the store instead of crashing', async () => {
    const { config, store, log } = await started();
    const originalInfo = log.info;
    log.info = () => {
      throw new Error('log sink down');
    };
    await store.put('log.level', 'error');
    await waitFor(() =>
      log.lines.some((line) => line.message === 'applying a config override failed'),
    );
    log.info = originalInfo;
    await config.stop();
  });

  it('needs start before set and unset, starts once, and stops idempotently', async () => {
    const config = await loadConfig(routerConfig, { env: {} });
    expect((await rejection(config.set('log.level', 'debug'))).code).toBe('E_UNAVAILABLE');
    const store = new MemoryOverrideStore();
    await config.start(store, { log: recordingLogger() });
    expect((await rejection(config.start(store, { log: recordingLogger() }))).code).toBe(
      'E_CONFLICT',
    );
    await config.stop();
    await config.stop();
    expect(store.watchers.size).toBe(0);
    expect((await rejection(config.unset('log.level'))).code).toBe('E_UNAVAILABLE');
    expect(config.report('log.level')[0]?.value).toBe('info');
  });

  it('ignores store events that arrive after stop', async () => {
    let emit: (key: string, value: unknown) => void = () => undefined;
    const store: OverrideStore = {
      load: async () => new Map(),
      put: async () => undefined,
      delete: async () => undefined,
      watch: async (onChange) => {
        emit = onChange;
        return async () => undefined;
      },
    };
    const config = await loadConfig(routerConfig, { env: {} });
    const log = recordingLogger();
    await config.start(store, { log });
    await config.stop();
    emit('log.level', 'debug');
    await config.stop();
    expect(config.current.log.level).toBe('info');
    expect(log.lines).toEqual([]);
  });

  it('reports every setting with secrets redacted and unset optional ones as null', async () => {
    const { config, log } = await started(
      {
        SB_POSTGRES__URL: 'postgres://app:hunter2@db/x',
        SB_NATS__TOKEN: 'tok',
        SB_ROUTER__SIGNING_KEY: 'a-long-signing-key',
      },
      // Stored before secrets were refused: skipped at start, its value never shown.
      { 'router.signingKey': 'another-signing-key' },
    );
    const byKey = Object.fromEntries(config.report().map((s) => [s.key, s]));
    expect(byKey['postgres.url']).toEqual({
      key: 'postgres.url',
      value: 'postgres://app:***@db/x',
      source: 'env',
      live: false,
    });
    expect(byKey['nats.token']?.value).toBe('***');
    expect(byKey['router.signingKey']).toEqual({
      key: 'router.signingKey',
      value: '***',
      source: 'env',
      live: false,
    });
    expect(byKey['nats.user']).toEqual({
      key: 'nats.user',
      value: null,
      source: 'default',
      live: false,
    });
    expect(byKey['postgres.tls.key']?.value).toBeNull();
    expect(byKey['log.level']?.live).toBe(true);
    expect(JSON.stringify(config.report())).not.toMatch(/hunter2|"tok"|signing-key/);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ key: 'router.signingKey' }),
      }),
    );
    expect(JSON.stringify(log.lines)).not.toMatch(/signing-key/);
    await config.stop();
  });
});
