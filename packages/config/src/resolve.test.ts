import { describe, expect, it } from 'vitest';
import type { Layers } from './layers.ts';
import { resolveConfig } from './resolve.ts';
import { routerConfig } from './test-fixtures.ts';

function layers(overrides: Record<string, unknown>): Layers {
  return {
    file: {},
    filePath: undefined,
    env: { values: {}, origins: [] },
    overrides: new Map(Object.entries(overrides)),
  };
}

describe('resolveConfig', () => {
  it('parses the merged layers into the config', () => {
    const result = resolveConfig(routerConfig, layers({ 'log.level': 'debug' }));
    expect(result.ok && result.value.log.level).toBe('debug');
  });

  it('names an unknown top-level key with the keys that exist', () => {
    expect(resolveConfig(routerConfig, layers({ extra: 1 }))).toEqual({
      ok: false,
      issues: [
        {
          key: 'extra',
          source: { kind: 'override' },
          value: 1,
          message:
            'unknown setting; known keys at the top level: namespace, mode, instanceId, shutdownTimeoutMs, readinessTimeoutMs, configWatchIntervalMs, postgres, redis, nats, log, payloads, principals, router',
        },
      ],
    });
  });
});
