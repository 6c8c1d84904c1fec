import { rmSync } from 'node:fs';
import { MemoryBus } from '@switchboard/bus';
import { MemoryCache } from '@switchboard/cache';
import { ConfigError, type SharedConfig } from '@switchboard/config';
import { connectPostgres, type Database } from '@switchboard/db';
import { createLogger, type RootLogger } from '@switchboard/logger';
import { SbError, type ServiceShortName } from '@switchboard/protocol';
import { generateInstanceId, type Service } from '@switchboard/service';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from './embedded-postgres.ts';
import { type LoadedService, meshServices } from './mesh-services.ts';

// The embedded mode: the whole mesh in one process on one machine with nothing but Node.js
// installed. One embedded Postgres (a database `switchboard`, a schema per service, each
// migrated by its service as usual), one MemoryBus and one MemoryCache shared by the six
// services, each built by its own `build` with those connections.

/** How to run the embedded mesh. */
export interface EmbeddedMeshOptions {
  /** Holds the Postgres cluster (`<dataDir>/postgres`). */
  dataDir: string;
  /** Deletes the data folder's cluster first: a fresh, empty mesh. */
  reset?: boolean;
  postgresPort: number;
  /**
   * Where the services read their settings, as their `main.ts` would (`SB_*`,
   * `SWITCHBOARD_CONFIG`); `SB_MODE` and `SB_POSTGRES__URL` are set by the runtime.
   */
  env: NodeJS.ProcessEnv;
  /** Where the services' log lines go (default stdout). */
  logDestination?: NodeJS.WritableStream;
  /** Postgres's own log lines (default: dropped; they are shown when it fails to start). */
  onPostgresLog?: (line: string) => void;
}

/** One service of a running embedded mesh. */
export interface EmbeddedService {
  short: ServiceShortName;
  host: string;
  port: number;
}

/** The running mesh. */
export interface EmbeddedMesh {
  /** The services in start-up order, where each listens. */
  services: EmbeddedService[];
  postgresUrl: string;
  namespace: string;
  /** Stops every service, then the bus, cache and Postgres; idempotent. */
  stop(): Promise<void>;
}

/** Loads every service's config and reports every bad setting at once, each once. */
async function loadAll(env: NodeJS.ProcessEnv): Promise<LoadedService[]> {
  const outcomes = await Promise.allSettled(meshServices.map((service) => service.load(env)));
  const seen = new Set<string>();
  const report: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    if (!(outcome.reason instanceof ConfigError)) throw outcome.reason;
    const [header, ...issues] = outcome.reason.message.split('\n');
    const fresh = issues.filter((issue) => !seen.has(issue));
    for (const issue of fresh) seen.add(issue);
    if (fresh.length > 0) report.push(header as string, ...fresh);
  }
  if (report.length > 0) throw new SbError('E_VALIDATION', report.join('\n'));
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<LoadedService>).value);
}

function sharedOf(service: LoadedService): SharedConfig {
  return service.config.current as SharedConfig;
}

function listenOf(service: LoadedService): { host: string; port: number } {
  const section = (service.config.current as Record<string, unknown>)[service.short];
  return section as { host: string; port: number };
}

/** Starts Postgres, the bus, the cache and the six services; resolves once every one is ready. */
export async function startEmbeddedMesh(options: EmbeddedMeshOptions): Promise<EmbeddedMesh> {
  if (options.reset === true) rmSync(options.dataDir, { recursive: true, force: true });
  const postgres: EmbeddedPostgresServer = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: options.postgresPort,
    ...(options.onPostgresLog === undefined ? {} : { onLog: options.onPostgresLog }),
  });
  const postgresUrl = postgres.url('switchboard');
  const started: Service[] = [];
  const databases: Database[] = [];
  const loggers: RootLogger[] = [];
  let bus: MemoryBus | undefined;
  let cache: MemoryCache | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // The services in order (front doors first), then what they shared, then Postgres.
      for (const service of started) await service.stop();
      await Promise.allSettled(databases.map((database) => database.close()));
      await bus?.close();
      await cache?.close();
      await postgres.stop();
      await Promise.allSettled(loggers.map((log) => log.close()));
    })();
    return stopping;
  };

  try {
    const loaded = await loadAll({
      ...options.env,
      SB_MODE: 'embedded',
      SB_POSTGRES__URL: postgresUrl,
    });
    const shared = sharedOf(loaded[0] as LoadedService);
    const memoryBus = new MemoryBus({
      namespace: shared.namespace,
      requestTimeoutMs: () => sharedOf(loaded[0] as LoadedService).nats.requestTimeoutMs,
      eventRetryDelayMs: shared.nats.eventRetryDelayMs,
      eventMaxAgeMs: shared.nats.eventRetentionMs,
    });
    bus = memoryBus;
    const memoryCache = new MemoryCache(`${shared.namespace}:`);
    cache = memoryCache;
    const services = await Promise.all(
      loaded.map(async (service) => {
        const settings = sharedOf(service);
        const instanceId = settings.instanceId ?? generateInstanceId(service.short);
        const log = createLogger({
          service: service.short,
          instanceId,
          level: settings.log.level,
          format: settings.log.format,
          ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
        });
        loggers.push(log);
        const db = await connectPostgres(settings.postgres, `${service.short}:${instanceId}`);
        databases.push(db);
        return service.build(log, instanceId, { bus: memoryBus, cache: memoryCache, db });
      }),
    );
    started.push(...services);
    // Together, as separate processes would: a service that calls another at start finds it
    // once that one is ready, as over NATS.
    const outcomes = await Promise.allSettled(services.map((service) => service.start()));
    const failures = outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected'
        ? [`${loaded[index]?.short}: ${(outcome.reason as Error).message}`]
        : [],
    );
    if (failures.length > 0) {
      throw new SbError(
        'E_UNAVAILABLE',
        `the embedded mesh did not start:\n${failures.join('\n')}`,
      );
    }
    return {
      services: loaded.map((service, index) => ({
        short: service.short,
        host: listenOf(service).host,
        port: (outcomes[index] as PromiseFulfilledResult<{ port: number }>).value.port,
      })),
      postgresUrl,
      namespace: shared.namespace,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
