import {
  type AnyServiceConfig,
  type ConfigOf,
  type LiveConfig,
  loadConfig,
  type SharedConfig,
} from '@switchboard/config';
import { createLogger, type RootLogger } from '@switchboard/logger';
import { isSbError } from '@switchboard/protocol';
import type { Service, ServiceConnections } from './create-service.ts';
import { generateInstanceId } from './instance-id.ts';

/** How a service's `app.ts` builds it; `connections` are used instead of connecting (embedded mode). */
export type BuildService<C> = (
  config: LiveConfig<C>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
) => Service;

/** A started service process, for `main.ts` to wire signals to. */
export interface StartedProcess {
  service: Service;
  log: RootLogger;
  shutdownTimeoutMs: number;
}

/**
 * Everything `main.ts` does before it waits for a signal: load and validate the config, create
 * the logger, build and start the service. A failure a person can fix (a bad setting, an
 * unreachable dependency) is reported as one clear message, without a stack trace, and yields
 * undefined so `main.ts` exits 1.
 */
export async function startServiceProcess<D extends AnyServiceConfig>(options: {
  definition: D;
  build: BuildService<ConfigOf<D>>;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
}): Promise<StartedProcess | undefined> {
  let config: LiveConfig<ConfigOf<D>>;
  try {
    config = await loadConfig(options.definition, { env: options.env });
  } catch (error) {
    if (!isSbError(error)) throw error;
    options.stderr.write(`${error.message}\n`);
    return undefined;
  }
  // Every service's config holds the shared sections (defineServiceConfig adds them).
  const current = config.current as SharedConfig;
  const instanceId = current.instanceId ?? generateInstanceId(options.definition.service);
  const log = createLogger({
    service: options.definition.service,
    instanceId,
    level: current.log.level,
    format: current.log.format,
    ...(current.log.file === undefined ? {} : { file: current.log.file }),
  });
  const service = options.build(config, log, instanceId);
  try {
    await service.start();
  } catch (error) {
    await service.stop().catch(() => undefined);
    if (!isSbError(error)) {
      log.fatal({ err: error }, 'start-up failed');
    } else {
      // An unreachable dependency or a refused setting: the message says what to do.
      log.fatal({ code: error.code, details: error.details }, error.message);
    }
    await log.close();
    return undefined;
  }
  return { service, log, shutdownTimeoutMs: current.shutdownTimeoutMs };
}
