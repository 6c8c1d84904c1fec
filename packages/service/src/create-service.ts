import { type Bus, connectNatsBus, ScopedBus } from '@switchboard/bus';
import { type Cache, connectRedis } from '@switchboard/cache';
import type { LiveConfig, SharedConfig } from '@switchboard/config';
import { connectPostgres, type Database, runMigrations } from '@switchboard/db';
import type { RootLogger } from '@switchboard/logger';
import { SbError, type ServiceShortName } from '@switchboard/protocol';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { baseFigures } from './base-figures.ts';
import { createHttpServer } from './http-server.ts';
import { kvOverrideStore } from './kv-override-store.ts';
import { createMetricsRegistry } from './metrics.ts';
import { guardPrincipals } from './principal-guard.ts';
import { loadPrincipalSignatures } from './principal-signatures.ts';
import { checkReadiness } from './readiness.ts';
import { reportRefusals } from './refusal-reports.ts';
import { createSecurityEvents, type SecurityEvents } from './security-events.ts';
import { type ServiceIdentity, serveServiceRpcs } from './service-rpcs.ts';

/** Connections a running service holds; features receive them in `register`. */
export interface ServiceDeps<C extends SharedConfig> {
  config: LiveConfig<C>;
  log: RootLogger;
  bus: Bus;
  db: Database;
  cache: Cache;
  http: FastifyInstance;
  metrics: Registry;
  identity: ServiceIdentity;
  /**
   * Reports security events (refused credentials, rate limits, ...). `E_FORBIDDEN` replies and
   * undecryptable records of the RPCs served on `bus` are reported already.
   */
  security: SecurityEvents;
}

/**
 * Connections made by someone else (the embedded runtime, a test) for a service to use instead
 * of connecting itself; it leaves them open when it stops. Each one missing is connected from the
 * config and closed at stop. Migrations still run over `postgres.url`, which must reach the
 * same database as an injected `db`.
 */
export interface ServiceConnections {
  bus?: Bus;
  db?: Database;
  cache?: Cache;
}

/** What a service adds to the common bootstrap. */
export interface ServiceOptions<C extends SharedConfig> {
  service: ServiceShortName;
  version: string;
  config: LiveConfig<C>;
  log: RootLogger;
  instanceId: string;
  /** Absolute path of the service's drizzle folder; migrations go into the schema `service`. */
  migrationsFolder: string;
  /** Already-made connections to use instead of connecting (see {@link ServiceConnections}). */
  connections?: ServiceConnections | undefined;
  /** Where HTTP listens; read at start, once stored overrides have been applied. */
  listen: () => { host: string; port: number };
  /**
   * Adds the service's HTTP routes, at build time: fastify takes routes only before it is ready.
   * Handlers reach what `register` set up through their own closure; nothing is served before
   * `start()` has run `register` and listens.
   */
  routes?: (http: FastifyInstance) => void;
  /** Serves the service's own subjects; runs after connections and migrations. */
  register?: (deps: ServiceDeps<C>) => Promise<void>;
  /** The service's key figures for `<ns>.v1.<short>.stats`. */
  stats?: () => Record<string, number>;
  /**
   * At most one `rate_limited` security event per credential (or address) and path in this
   * long (default 1000 ms); every hit is still counted.
   */
  rateLimitReportIntervalMs?: () => number;
  /** Stops what `register` started, before connections close. */
  unregister?: () => Promise<void>;
}

/** A service that `start()`s, serves, and `stop()`s in reverse order. */
export interface Service {
  readonly http: FastifyInstance;
  readonly metrics: Registry;
  /** Resolves with the bound address once every dependency is up and the service is ready. */
  start(): Promise<{ port: number }>;
  /**
   * Idempotent; stops accepting, drains NATS, closes Redis and Postgres (only those it opened:
   * injected connections stay open).
   */
  stop(): Promise<void>;
}

type Phase = 'created' | 'starting' | 'ready' | 'stopping' | 'stopped';

interface Connected {
  bus: Bus;
  db: Database;
  cache: Cache;
  /** Closes what this service opened, in reverse order; injected connections stay open. */
  close: Array<() => Promise<unknown>>;
}

/**
 * Connects what was not injected, all at once, and reports every dependency that failed, not
 * only the first. An injected bus is used through a scope of this service's own, so stopping
 * the service stops its subscriptions without closing the bus the others still use.
 */
async function connectAll<C extends SharedConfig>(
  options: ServiceOptions<C>,
  metrics: Registry,
): Promise<Connected> {
  const config = options.config.current;
  const injected = options.connections ?? {};
  const name = `${options.service}:${options.instanceId}`;
  const [bus, db, cache] = await Promise.allSettled([
    injected.bus !== undefined
      ? new ScopedBus(injected.bus, () => options.config.current.nats.requestTimeoutMs)
      : connectNatsBus({
          namespace: config.namespace,
          servers: config.nats.servers,
          name,
          user: config.nats.user,
          pass: config.nats.pass,
          token: config.nats.token,
          tls: config.nats.tls,
          connectTimeoutMs: config.nats.connectTimeoutMs,
          requestTimeoutMs: () => options.config.current.nats.requestTimeoutMs,
          eventRetentionMs: config.nats.eventRetentionMs,
          eventRetryDelayMs: config.nats.eventRetryDelayMs,
          log: options.log.child({ component: 'bus' }),
          metrics,
          compression: () => options.config.current.payloads.compression,
        }),
    injected.db ?? connectPostgres(config.postgres, name),
    injected.cache ??
      connectRedis(config.redis, { prefix: `${config.namespace}:`, connectionName: name }),
  ]);
  // The scope of an injected bus is this service's own: closing it stops only its subscriptions.
  const owned = {
    bus: true,
    db: injected.db === undefined,
    cache: injected.cache === undefined,
  };
  if (bus.status === 'fulfilled' && db.status === 'fulfilled' && cache.status === 'fulfilled') {
    const close: Array<() => Promise<unknown>> = [];
    if (owned.db) close.push(() => db.value.close(config.shutdownTimeoutMs));
    if (owned.cache) close.push(() => cache.value.close());
    close.push(() => bus.value.close());
    return { bus: bus.value, db: db.value, cache: cache.value, close };
  }
  await Promise.allSettled([
    bus.status === 'fulfilled' ? bus.value.close() : undefined,
    db.status === 'fulfilled' && owned.db ? db.value.close() : undefined,
    cache.status === 'fulfilled' && owned.cache ? cache.value.close() : undefined,
  ]);
  const failures = [bus, db, cache].flatMap((outcome) =>
    outcome.status === 'rejected' ? [outcome.reason as unknown] : [],
  );
  const message = failures
    .map((failure) => (failure instanceof Error ? failure.message : String(failure)))
    .join('\n');
  throw new SbError('E_UNAVAILABLE', message, { cause: failures[0] });
}

/**
 * The bootstrap every service shares: config, connections, migrations, the common RPCs, the
 * probes and metrics over HTTP, and a graceful stop.
 */
export function createService<C extends SharedConfig>(options: ServiceOptions<C>): Service {
  const { log, config } = options;
  const identity: ServiceIdentity = {
    service: options.service,
    instanceId: options.instanceId,
    version: options.version,
    startedAt: Date.now(),
  };
  const metrics = createMetricsRegistry({
    service: options.service,
    instance: options.instanceId,
    version: options.version,
  });
  let phase: Phase = 'created';
  let deps: Connected | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];

  const http = createHttpServer({
    log,
    metrics,
    readiness: async () => {
      if (phase !== 'ready' || deps === undefined) return { ready: false, checks: { phase } };
      const { bus, db, cache } = deps;
      return checkReadiness(
        { nats: () => bus.ping(), postgres: () => db.ping(), redis: () => cache.ping() },
        config.current.readinessTimeoutMs,
      );
    },
  });

  options.routes?.(http);

  const unsubscribeLogLevel = config.onChange((next, previous) => {
    if (next.log.level !== previous.log.level) log.setLevel(next.log.level);
  });

  const start = async () => {
    if (phase !== 'created') throw new Error(`cannot start a service that is ${phase}`);
    phase = 'starting';
    const current = config.current;
    // Before connecting: a key that does not load stops the start with nothing to close.
    const principals = await loadPrincipalSignatures(current.principals, options.service);
    deps = await connectAll(options, metrics);
    cleanups.push(...deps.close);
    const { db, cache } = deps;
    const security = createSecurityEvents({
      bus: deps.bus,
      service: options.service,
      log: log.child({ component: 'security' }),
      metrics,
      ...(options.rateLimitReportIntervalMs === undefined
        ? {}
        : { rateLimitReportIntervalMs: options.rateLimitReportIntervalMs }),
    });
    // Everything the service serves and sends goes through it, the common RPCs too.
    const bus = guardPrincipals(deps.bus, principals, security);
    log.info(
      {
        principals: current.principals.mode,
        signingKeyId: principals.signer?.keyId ?? null,
      },
      'principal signatures',
    );
    await runMigrations({
      settings: current.postgres,
      schema: options.service,
      migrationsFolder: options.migrationsFolder,
      applicationName: `${options.service}:${options.instanceId}:migrate`,
    });
    const bucket = await bus.kv(bus.subjects.configBucket);
    await config.start(kvOverrideStore(bucket, options.service), {
      log: log.child({ component: 'config' }),
      fileWatchIntervalMs: current.configWatchIntervalMs,
    });
    cleanups.push(() => config.stop());
    const subscriptions = serveServiceRpcs({
      bus,
      identity,
      config: config as LiveConfig<unknown>,
      stats: async () => ({ ...(await baseFigures(metrics)), ...options.stats?.() }),
    });
    cleanups.push(() => Promise.all(subscriptions.map((subscription) => subscription.stop())));
    if (options.register !== undefined) {
      await options.register({
        config,
        log,
        bus: reportRefusals(bus, security),
        db,
        cache,
        http,
        metrics,
        identity,
        security,
      });
    }
    if (options.unregister !== undefined) cleanups.push(options.unregister);
    // A round trip flushes the subscriptions to the server: once start() resolves (and /readyz
    // is green), every subject this replica serves is answerable.
    await bus.ping();
    // A signal during start-up: stop() has run (or is running); do not open the port after it.
    if (phase !== 'starting') throw new Error('the service was stopped while starting');
    const { host, port: requestedPort } = options.listen();
    await http.listen({ host, port: requestedPort });
    const address = http.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    phase = 'ready';
    log.info({ port, instanceId: options.instanceId, version: options.version }, 'ready');
    return { port };
  };

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      phase = 'stopping';
      unsubscribeLogLevel();
      // Reverse order: stop accepting, then what was registered, then the connections.
      await http.close();
      for (const cleanup of cleanups.reverse()) {
        await cleanup().catch((err: unknown) => log.error({ err }, 'error while stopping'));
      }
      phase = 'stopped';
      await log.flush();
    })();
    return stopped;
  };

  return { http, metrics, start, stop };
}
