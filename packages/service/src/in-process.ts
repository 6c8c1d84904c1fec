import { PassThrough } from 'node:stream';
import { type AnyServiceConfig, type ConfigOf, loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/logger';
import type { ServiceConnections } from './create-service.ts';
import type { BuildService } from './start-process.ts';

/** A service a test started in its own process (its code counts towards coverage). */
export interface InProcessService {
  port: number;
  /** Stops it gracefully (a signal is for processes: tests that SIGKILL spawn one instead). */
  stop(): Promise<void>;
}

/**
 * Builds and starts a service in the test's process, with the config `env` gives and a silent
 * log (`SB_TEST_LOG=debug` shows it while a test is being debugged).
 */
export async function startInProcess<D extends AnyServiceConfig>(options: {
  definition: D;
  build: BuildService<ConfigOf<D>>;
  env: Record<string, string>;
  instanceId: string;
  /** The test context's connections in embedded mode (undefined: connect from `env`). */
  connections?: ServiceConnections | undefined;
}): Promise<InProcessService> {
  const config = await loadConfig(options.definition, { env: options.env });
  const debug = process.env.SB_TEST_LOG;
  const log = createLogger({
    service: options.definition.service,
    instanceId: options.instanceId,
    level: (debug as 'debug' | undefined) ?? 'silent',
    format: 'json',
    destination: debug === undefined ? new PassThrough() : process.stderr,
  });
  const service = options.build(config, log, options.instanceId, options.connections);
  const { port } = await service.start();
  return { port, stop: () => service.stop() };
}
