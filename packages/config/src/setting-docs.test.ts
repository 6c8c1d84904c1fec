import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineServiceConfig } from './define.ts';
import { describeSettings, NO_DEFAULT, type SettingDoc } from './setting-docs.ts';
import { SHARED_BOOTSTRAP_KEYS } from './shared-schema.ts';

const docsConfig = defineServiceConfig({
  service: 'tasks',
  section: z.strictObject({
    cron: z
      .strictObject({
        tickMs: z.int().min(10).max(60_000).default(1000).describe('How often cron is read, in ms'),
        zone: z.string().meta({ description: 'IANA time zone' }).optional(),
      })
      .prefault({}),
    limits: z
      .strictObject({ perType: z.int().min(1), burst: z.int().optional() })
      .default({ perType: 5 }),
    webhook: z.url().default('https://hook:s3cret@example.test/run'),
    signingKey: z.string().min(8).default('change-me-now'),
    publicUrl: z.url(),
    prefix: z.string().default(''),
    tags: z.array(z.string()).default(['a', 'b']),
    maxBytes: z.bigint().default(10n),
    weights: z.array(z.bigint()).default([1n]),
    marker: z.any().default(() => Symbol.for('marker')),
  }),
  live: ['tasks.cron'],
  secrets: ['tasks.signingKey'],
  secretUrls: ['tasks.webhook'],
});

function byKey(rows: readonly SettingDoc[]): Map<string, SettingDoc> {
  return new Map(rows.map((row) => [row.key, row]));
}

describe('describeSettings', () => {
  const rows = byKey(describeSettings(docsConfig));

  it('lists every leaf setting in declaration order, shared sections first', () => {
    const keys = [...rows.keys()];
    expect(keys.slice(0, 4)).toEqual(['namespace', 'mode', 'instanceId', 'shutdownTimeoutMs']);
    expect(keys.filter((key) => key.startsWith('tasks.'))).toEqual([
      'tasks.cron.tickMs',
      'tasks.cron.zone',
      'tasks.limits.perType',
      'tasks.limits.burst',
      'tasks.webhook',
      'tasks.signingKey',
      'tasks.publicUrl',
      'tasks.prefix',
      'tasks.tags',
      'tasks.maxBytes',
      'tasks.weights',
      'tasks.marker',
    ]);
    expect(keys).toContain('nats.tls.rejectUnauthorized');
    expect(keys).toContain('log.file.frequency');
  });

  it('gives the env name, type, default, liveness and description of a setting', () => {
    expect(rows.get('tasks.cron.tickMs')).toEqual({
      key: 'tasks.cron.tickMs',
      envName: 'SB_TASKS__CRON__TICK_MS',
      type: 'integer 10..60000',
      defaultText: '1000',
      isLive: true,
      isBootstrap: false,
      isSecret: false,
      description: 'How often cron is read, in ms',
    });
  });

  it('reads a description given with meta, and leaves it out when there is none', () => {
    expect(rows.get('tasks.cron.zone')?.description).toBe('IANA time zone');
    expect(rows.get('tasks.publicUrl')).not.toHaveProperty('description');
  });

  it('shows no default for a required or optional setting', () => {
    expect(rows.get('tasks.publicUrl')?.defaultText).toBe(NO_DEFAULT);
    expect(rows.get('tasks.cron.zone')?.defaultText).toBe(NO_DEFAULT);
    expect(rows.get('instanceId')?.defaultText).toBe(NO_DEFAULT);
  });

  it('takes a default from the section above when the setting has none of its own', () => {
    expect(rows.get('tasks.limits.perType')?.defaultText).toBe('5');
    expect(rows.get('tasks.limits.burst')?.defaultText).toBe(NO_DEFAULT);
  });

  it('shows strings bare, an empty string and other values as JSON', () => {
    expect(rows.get('namespace')?.defaultText).toBe('sb');
    expect(rows.get('tasks.prefix')?.defaultText).toBe('""');
    expect(rows.get('tasks.tags')?.defaultText).toBe('["a","b"]');
    expect(rows.get('nats.servers')?.defaultText).toBe('["nats://127.0.0.1:4222"]');
    expect(rows.get('nats.tls.enabled')?.defaultText).toBe('true');
    expect(rows.get('tasks.maxBytes')?.defaultText).toBe('10');
    expect(rows.get('tasks.weights')?.defaultText).toBe('["1"]');
    expect(rows.get('tasks.marker')).toMatchObject({ defaultText: 'symbol', type: 'any' });
  });

  it('redacts secret defaults and shows a URL without a password as is', () => {
    expect(rows.get('tasks.signingKey')).toMatchObject({ defaultText: '***', isSecret: true });
    expect(rows.get('tasks.webhook')).toMatchObject({
      defaultText: 'https://hook:***@example.test/run',
      isSecret: false,
      type: 'URL',
    });
    expect(rows.get('postgres.url')?.defaultText).toBe(
      'postgres://postgres@127.0.0.1:5432/switchboard',
    );
    expect(rows.get('nats.pass')?.isSecret).toBe(true);
    expect(rows.get('redis.tls.key')?.isSecret).toBe(true);
  });

  it('marks the shared live and bootstrap settings', () => {
    expect(rows.get('log.level')).toMatchObject({ isLive: true, isBootstrap: false });
    expect(rows.get('nats.requestTimeoutMs')).toMatchObject({ isLive: true, isBootstrap: false });
    expect(rows.get('nats.eventRetentionMs')).toMatchObject({ isLive: false, isBootstrap: false });
    expect(rows.get('postgres.tls.ca')).toMatchObject({ isLive: false, isBootstrap: true });
    expect(rows.get('log.format')).toMatchObject({ isLive: false, isBootstrap: true });
    expect(rows.get('tasks.publicUrl')).toMatchObject({ isLive: false, isBootstrap: false });
  });

  it('describes every shared setting in one line', () => {
    const shared = [...rows.values()].filter((row) => !row.key.startsWith('tasks.'));
    expect(shared.length).toBeGreaterThan(SHARED_BOOTSTRAP_KEYS.length);
    for (const row of shared) {
      expect(row.description, row.key).toMatch(/^\S.*\S$/);
      expect(row.description, row.key).not.toContain('\n');
    }
  });
});
