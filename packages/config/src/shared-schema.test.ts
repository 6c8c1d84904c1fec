import { describe, expect, it } from 'vitest';
import { SharedConfigSchema, TlsSchema } from './shared-schema.ts';

function messages(input: unknown): string[] {
  const result = SharedConfigSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('shared settings', () => {
  it('default to the local infrastructure', () => {
    expect(SharedConfigSchema.parse({})).toEqual({
      namespace: 'sb',
      mode: 'distributed',
      shutdownTimeoutMs: 10_000,
      readinessTimeoutMs: 2000,
      configWatchIntervalMs: 1000,
      postgres: {
        url: 'postgres://postgres@127.0.0.1:5432/switchboard',
        poolMax: 10,
        connectTimeoutMs: 5000,
      },
      redis: { url: 'redis://127.0.0.1:6379', connectTimeoutMs: 5000 },
      nats: {
        servers: ['nats://127.0.0.1:4222'],
        connectTimeoutMs: 5000,
        requestTimeoutMs: 5000,
        eventRetentionMs: 7 * 24 * 60 * 60 * 1000,
        eventRetryDelayMs: 1000,
      },
      log: { level: 'info', format: 'json' },
      payloads: {
        encryption: { keys: {} },
        compression: { algorithm: 'none', thresholdBytes: 1024 },
        reencrypt: { batchSize: 200, budgetMs: 2000 },
      },
      principals: { mode: 'off', ttlMs: 3_600_000, publicKeys: {} },
    });
  });

  it('take payload keys as 256-bit base64 under plain ids, and compression levels per algorithm', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      messages({
        payloads: {
          encryption: { activeKeyId: 'k-2026.1', keys: { 'k-2026.1': key } },
          compression: { algorithm: 'br', level: 11 },
        },
      }),
    ).toEqual([]);
    expect(
      messages({
        payloads: {
          encryption: {
            keys: { k1: Buffer.alloc(16).toString('base64'), k2: 'not base64!', 'bad id': key },
          },
          compression: { algorithm: 'gzip', level: 0 },
        },
      }),
    ).toEqual([
      'payloads.encryption.keys.k1: must be 32 bytes (256 bits) as base64',
      'payloads.encryption.keys.k2: must be base64',
      'payloads.encryption.keys.k2: must be 32 bytes (256 bits) as base64',
      'payloads.encryption.keys.bad id: must be 1-64 of A-Z a-z 0-9 . _ - (letter or digit first)',
      'payloads.compression.level: must be 1-9 for gzip',
    ]);
    expect(messages({ payloads: { compression: { algorithm: 'none', level: 0 } } })).toEqual([]);
  });

  it('accept the URL schemes of each server and refuse others', () => {
    expect(
      messages({
        postgres: { url: 'postgresql://h/db' },
        redis: { url: 'rediss://h' },
        nats: { servers: ['tls://h:4222'] },
      }),
    ).toEqual([]);
    expect(
      messages({
        postgres: { url: 'mysql://h/db' },
        redis: { url: 'nope' },
        nats: { servers: [] },
      }),
    ).toEqual([
      'postgres.url: must be a postgres:// or postgresql:// URL',
      'redis.url: must be a redis:// or rediss:// URL',
      'nats.servers: Too small: expected array to have >=1 items',
    ]);
  });

  it('need user and pass together, and no token beside them', () => {
    expect(messages({ nats: { user: 'u' } })).toEqual(['nats.pass: required with nats.user']);
    expect(messages({ nats: { pass: 'p' } })).toEqual(['nats.user: required with nats.pass']);
    expect(messages({ nats: { user: 'u', pass: 'p', token: 't' } })).toEqual([
      'nats.token: not allowed with nats.user/nats.pass: use a token or a user and password',
    ]);
    expect(messages({ nats: { token: 't' } })).toEqual([]);
  });

  it('need a TLS cert and key together', () => {
    expect(TlsSchema.parse({})).toEqual({ enabled: true, rejectUnauthorized: true });
    expect(messages({ redis: { tls: { cert: 'c.pem' } } })).toEqual([
      'redis.tls.key: required with tls.cert',
    ]);
    expect(messages({ postgres: { tls: { key: 'k.pem' } } })).toEqual([
      'postgres.tls.cert: required with tls.key',
    ]);
    expect(messages({ nats: { tls: { cert: 'c.pem', key: 'k.pem', ca: 'ca.pem' } } })).toEqual([]);
  });

  it('check log file settings', () => {
    expect(messages({ log: { file: { path: 'sb.log', frequency: 'daily', size: '5m' } } })).toEqual(
      [],
    );
    expect(messages({ log: { file: { path: 'sb.log', size: 'huge', frequency: 10 } } })).toEqual([
      'log.file.size: must be a size such as 500k, 10m or 1g',
      'log.file.frequency: Too small: expected number to be >=1000',
    ]);
  });
});
