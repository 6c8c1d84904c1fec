import { NamespaceSchema } from '@switchboard/protocol';
import { z } from 'zod';
import { PayloadsSchema } from './payloads-schema.ts';
import { PrincipalsSchema } from './principals-schema.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function urlWithScheme(schemes: readonly string[]) {
  const allowed = schemes.map((scheme) => `${scheme}//`).join(' or ');
  return z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${allowed} URL` },
  );
}

function timerMs(defaultMs: number, minMs: number, maxMs: number) {
  return z.int().min(minMs).max(maxMs).default(defaultMs);
}

/**
 * TLS options of a connection (Postgres, Redis, NATS). `ca`, `cert` and `key` hold PEM text or a
 * file path; the connecting code resolves which. A client certificate needs its key.
 */
export const TlsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Connect with TLS when this section is given; false switches it off'),
    ca: z
      .string()
      .min(1)
      .optional()
      .describe('CA certificate(s) to trust: PEM text or a PEM file path (default: system CAs)'),
    cert: z
      .string()
      .min(1)
      .optional()
      .describe('Client certificate: PEM text or a PEM file path; needs `key`'),
    key: z
      .string()
      .min(1)
      .optional()
      .describe('Private key of the client certificate: PEM text or a PEM file path'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Refuse a server whose certificate does not verify; false only for testing'),
  })
  .superRefine((tls, ctx) => {
    if (tls.cert !== undefined && tls.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'required with tls.cert' });
    }
    if (tls.key !== undefined && tls.cert === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cert'], message: 'required with tls.key' });
    }
  });

const PostgresSchema = z.strictObject({
  url: urlWithScheme(['postgres:', 'postgresql:'])
    .default('postgres://postgres@127.0.0.1:5432/switchboard')
    .describe(
      'Postgres URL (`postgres://`, `postgresql://`); the database is created when missing; password shown as `***`',
    ),
  poolMax: z
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('Most connections each replica opens to Postgres'),
  connectTimeoutMs: timerMs(5000, 10, 600_000).describe(
    'How long to wait for a Postgres connection, in ms (rounded up to whole seconds)',
  ),
  tls: TlsSchema.optional(),
});

const RedisSchema = z.strictObject({
  url: urlWithScheme(['redis:', 'rediss:'])
    .default('redis://127.0.0.1:6379')
    .describe('Redis `redis://` or `rediss://` URL; password shown as `***`'),
  connectTimeoutMs: timerMs(5000, 10, 600_000).describe(
    'How long to wait for the Redis connection, in ms',
  ),
  tls: TlsSchema.optional(),
});

const NatsSchema = z
  .strictObject({
    servers: z
      .array(urlWithScheme(['nats:', 'tls:']))
      .min(1)
      .default(['nats://127.0.0.1:4222'])
      .describe('NATS server URLs (`nats://` or `tls://`), comma-separated in env'),
    user: z.string().min(1).optional().describe('NATS user name; needs `pass`'),
    pass: z.string().min(1).optional().describe('NATS password; needs `user`'),
    token: z
      .string()
      .min(1)
      .optional()
      .describe('NATS authentication token, instead of a user and password'),
    connectTimeoutMs: timerMs(5000, 10, 600_000).describe(
      'How long to wait for the NATS connection, in ms',
    ),
    requestTimeoutMs: timerMs(5000, 10, 600_000).describe(
      'Default timeout of a request over NATS (RPC), in ms',
    ),
    eventRetentionMs: timerMs(7 * DAY_MS, 1000, 365 * DAY_MS).describe(
      'How long the event stream keeps events, in ms (a service that was down catches up)',
    ),
    eventRetryDelayMs: timerMs(1000, 1, 600_000).describe(
      'Delay before an event whose handler failed is delivered again, in ms',
    ),
    tls: TlsSchema.optional(),
  })
  .superRefine((nats, ctx) => {
    if (nats.user !== undefined && nats.pass === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pass'], message: 'required with nats.user' });
    }
    if (nats.pass !== undefined && nats.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'required with nats.pass' });
    }
    if (nats.token !== undefined && (nats.user !== undefined || nats.pass !== undefined)) {
      const message = 'not allowed with nats.user/nats.pass: use a token or a user and password';
      ctx.addIssue({ code: 'custom', path: ['token'], message });
    }
  });

const LogFileSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('Also write JSON log lines to this file, rotated (`app.log` → `app.1.log`, ...)'),
  size: z
    .string()
    .regex(/^\d+[kmg]?$/i, 'must be a size such as 500k, 10m or 1g')
    .default('10m')
    .describe('Rotate the log file at this size: bytes, or with a unit (`500k`, `10m`, `1g`)'),
  frequency: z
    .union([z.enum(['daily', 'hourly']), z.int().min(1000)])
    .optional()
    .describe('Also rotate the log file `daily`, `hourly` or every so many ms'),
  limit: z.int().min(1).default(10).describe('Rotated log files kept besides the active one'),
});

const LogSchema = z.strictObject({
  level: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('Lowest level logged: `debug` shows more, `warn` less'),
  format: z
    .enum(['json', 'pretty'])
    .default('json')
    .describe('Log lines on stdout: `json` (one object a line) or `pretty` (for people)'),
  file: LogFileSchema.optional(),
});

/**
 * The settings every service shares, as a zod shape: spread it into a service's schema
 * (`defineServiceConfig` does). Defaults point at the local infrastructure.
 */
export function sharedConfigShape() {
  return {
    namespace: NamespaceSchema.default('sb').describe(
      'Prefix of every subject, stream, KV bucket and Redis key (`[a-z0-9_]+`): namespaces never see each other',
    ),
    mode: z
      .enum(['distributed', 'embedded'])
      .default('distributed')
      .describe(
        '`distributed`: each service is its own process, over NATS, Redis and Postgres; `embedded`: set by `switchboard dev`, which runs all six in one process over an in-process bus and cache and an embedded Postgres',
      ),
    /** Generated by the service bootstrap when absent. */
    instanceId: z
      .string()
      .min(1)
      .optional()
      .describe(
        'This replica in logs, metrics and `ping`; generated (`<service>-<host>-<random>`) when unset',
      ),
    shutdownTimeoutMs: timerMs(10_000, 100, 120_000).describe(
      'On SIGTERM or SIGINT, how long a stop may take before the process exits anyway, in ms',
    ),
    readinessTimeoutMs: timerMs(2000, 10, 60_000).describe(
      'How long `/readyz` waits for each of Postgres, Redis and NATS to answer, in ms',
    ),
    configWatchIntervalMs: timerMs(1000, 10, 600_000).describe(
      'How often the config file is polled for changes besides file events, in ms',
    ),
    postgres: PostgresSchema.prefault({}),
    redis: RedisSchema.prefault({}),
    nats: NatsSchema.prefault({}),
    log: LogSchema.prefault({}),
    payloads: PayloadsSchema.prefault({}),
    principals: PrincipalsSchema.prefault({}),
  };
}

/** The shared settings alone (what a tool that is not a service, such as a migrator, reads). */
export const SharedConfigSchema = z.strictObject(sharedConfigShape());

/** The shared settings, parsed. */
export type SharedConfig = z.infer<typeof SharedConfigSchema>;

/** Shared settings that change without a restart. */
export const SHARED_LIVE_KEYS = [
  'log.level',
  'nats.requestTimeoutMs',
  'readinessTimeoutMs',
] as const;

/** Shared settings never shown in clear (a pattern covers the subtree under it). */
export const SHARED_SECRET_KEYS = [
  'nats.pass',
  'nats.token',
  '**.tls.key',
  'payloads.encryption.keys',
  'principals.signingKey',
] as const;

/** Shared URL settings shown with their password replaced by `***`. */
export const SHARED_SECRET_URL_KEYS = ['postgres.url', 'redis.url', 'nats.servers'] as const;

/**
 * Shared settings read before the override store opens (the store lives in NATS under the
 * namespace, and every replica shares it; the logger, Postgres and Redis connect alongside
 * NATS): an override could never take effect, or would give every replica one instance id, so
 * `set` refuses them. Set them in the file or env.
 */
export const SHARED_BOOTSTRAP_KEYS = [
  'namespace',
  'mode',
  'instanceId',
  'shutdownTimeoutMs',
  'configWatchIntervalMs',
  'postgres',
  'redis',
  'log.format',
  'log.file',
  'nats.servers',
  'nats.user',
  'nats.pass',
  'nats.token',
  'nats.connectTimeoutMs',
  'nats.tls',
  // Keys would sit in the KV bucket in clear, and every replica must hold the same ring.
  'payloads.encryption',
  // Keys again, and a replica that verifies must never be switched off from the KV bucket.
  'principals',
] as const;
