import { describe, expect, it } from 'vitest';
import { envNameOf, envSegmentToKey, readEnvLayer } from './env-source.ts';
import { routerConfig } from './test-fixtures.ts';

describe('env layer', () => {
  it('maps SCREAMING_SNAKE segments to camelCase keys and back', () => {
    expect(envSegmentToKey('MAX_ATTEMPTS')).toBe('maxAttempts');
    expect(envSegmentToKey('SHUTDOWN_TIMEOUT_MS')).toBe('shutdownTimeoutMs');
    expect(envSegmentToKey('CA')).toBe('ca');
    expect(envNameOf(['router', 'retry', 'maxAttempts'])).toBe('SB_ROUTER__RETRY__MAX_ATTEMPTS');
    expect(envNameOf(['shutdownTimeoutMs'])).toBe('SB_SHUTDOWN_TIMEOUT_MS');
  });

  it('nests shared and own variables by `__` and reads each by its schema type', () => {
    const layer = readEnvLayer(
      {
        SB_NAMESPACE: 'prod',
        SB_SHUTDOWN_TIMEOUT_MS: '2500',
        SB_POSTGRES__URL: 'postgres://db/x',
        SB_NATS__SERVERS: 'nats://a:4222,tls://b:4222',
        SB_NATS__TLS__CA: '/etc/ca.pem',
        SB_NATS__TLS__REJECT_UNAUTHORIZED: 'false',
        SB_ROUTER__RETRY__MAX_ATTEMPTS: '7',
        SB_ROUTER__LABELS: '{"zone":"eu"}',
      },
      routerConfig.schema,
    );
    expect(layer.values).toEqual({
      namespace: 'prod',
      shutdownTimeoutMs: 2500,
      postgres: { url: 'postgres://db/x' },
      nats: {
        servers: ['nats://a:4222', 'tls://b:4222'],
        tls: { ca: '/etc/ca.pem', rejectUnauthorized: false },
      },
      router: { retry: { maxAttempts: 7 }, labels: { zone: 'eu' } },
    });
    expect(layer.origins).toContainEqual({
      name: 'SB_ROUTER__RETRY__MAX_ATTEMPTS',
      path: ['router', 'retry', 'maxAttempts'],
    });
    expect(layer.issues).toEqual([]);
  });

  it("ignores other services' variables, non-SB variables and SB names that are not shared keys", () => {
    const layer = readEnvLayer(
      {
        SB_GATEWAY__PORT: '7700',
        SB_API_KEY: 'sk_secret',
        PATH: '/usr/bin',
        SB_ROUTERX__A: '1',
        SB_UNSET: undefined,
      },
      routerConfig.schema,
    );
    expect(layer).toEqual({ values: {}, origins: [], issues: [] });
  });

  it('keeps an unknown key under a section it reads, raw, for the schema to reject', () => {
    const layer = readEnvLayer({ SB_ROUTER__RETRYY: '3' }, routerConfig.schema);
    expect(layer.values).toEqual({ router: { retryy: '3' } });
  });

  it('lets a nested variable refine a section given as JSON', () => {
    const layer = readEnvLayer(
      { SB_NATS__TLS: '{"ca":"a.pem","cert":"c.pem"}', SB_NATS__TLS__CA: 'b.pem' },
      routerConfig.schema,
    );
    expect(layer.values).toEqual({ nats: { tls: { ca: 'b.pem', cert: 'c.pem' } } });
  });

  it('reports a malformed name under a section it reads', () => {
    const layer = readEnvLayer(
      { SB_ROUTER____RETRY: '1', SB_ROUTER__: '2', SB_LOG___LEVEL: 'x' },
      routerConfig.schema,
    );
    expect(layer.values).toEqual({});
    expect(layer.issues.map((issue) => issue.source)).toEqual([
      { kind: 'env', name: 'SB_ROUTER____RETRY' },
      { kind: 'env', name: 'SB_ROUTER__' },
      { kind: 'env', name: 'SB_LOG___LEVEL' },
    ]);
    expect(layer.issues[0]?.message).toMatch(/malformed name/);
  });
});
