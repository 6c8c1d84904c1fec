import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineServiceConfig } from './define.ts';
import { routerConfig } from './test-fixtures.ts';

describe('defineServiceConfig', () => {
  it('puts the section under the short name beside the shared sections, with defaults', () => {
    const config = routerConfig.schema.parse({});
    expect(config.router.retry.maxAttempts).toBe(5);
    expect(config.namespace).toBe('sb');
    expect(routerConfig.sharedKeys).toEqual([
      'namespace',
      'mode',
      'instanceId',
      'shutdownTimeoutMs',
      'readinessTimeoutMs',
      'configWatchIntervalMs',
      'postgres',
      'redis',
      'nats',
      'log',
      'payloads',
      'principals',
    ]);
    expect(routerConfig.live).toEqual([
      'log.level',
      'nats.requestTimeoutMs',
      'readinessTimeoutMs',
      'router.retry',
    ]);
    expect(routerConfig.secrets.secrets).toContain('router.signingKey');
  });

  it('works without a refine rule and takes extra secret URLs', () => {
    const config = defineServiceConfig({
      service: 'a2a',
      section: z.strictObject({ peerUrl: z.string().default('https://u:p@peer') }),
      secretUrls: ['a2a.peerUrl'],
    });
    expect(config.redact(['a2a', 'peerUrl'], 'https://u:p@peer')).toBe('https://u:***@peer');
    expect(config.schema.parse({}).a2a.peerUrl).toBe('https://u:p@peer');
  });

  it('refuses a section with objects that accept unknown keys', () => {
    const section = z.strictObject({ inner: z.object({ a: z.number().default(1) }).prefault({}) });
    expect(() => defineServiceConfig({ service: 'state', section })).toThrow(
      'config objects must be strict (z.strictObject): state.inner',
    );
  });

  it('refuses live and secret keys that name no setting', () => {
    const section = z.strictObject({ a: z.number().default(1) });
    expect(() =>
      defineServiceConfig({ service: 'state', section, live: ['state.b'], secrets: ['**.x'] }),
    ).toThrow('config keys name no setting: state.b');
  });
});
