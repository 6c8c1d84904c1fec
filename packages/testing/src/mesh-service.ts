import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type AnyServiceConfig, type LiveConfig, loadConfig } from '@switchboard/config';
import { createLogger, type RootLogger } from '@switchboard/logger';
import type { TestConnections } from './embedded-world.ts';
import { testModeOf } from './mode.ts';
import { spawnService } from './service-process.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A service a test started, in whichever mode: where it listens, and how to stop it. */
export interface MeshService {
  port: number;
  stop(): Promise<unknown>;
}

/** What `apps/<folder>/src/app.ts` exports: the `build` its `main.ts` calls. */
interface AppModule {
  build(
    config: LiveConfig<unknown>,
    log: RootLogger,
    instanceId: string,
    connections?: TestConnections,
  ): { start(): Promise<{ port: number }>; stop(): Promise<void> };
}

function isDefinition(value: unknown): value is AnyServiceConfig {
  return typeof value === 'object' && value !== null && 'service' in value && 'schema' in value;
}

/** Builds and starts `apps/<folder>` in this process over `connections`, with a silent log. */
async function startInThisProcess(
  folder: string,
  env: Record<string, string>,
  connections: TestConnections,
): Promise<MeshService> {
  const source = (file: string) => pathToFileURL(join(repoRoot, 'apps', folder, 'src', file)).href;
  const app = (await import(source('app.ts'))) as AppModule;
  const definition = Object.values(
    (await import(source('config.ts'))) as Record<string, unknown>,
  ).find(isDefinition);
  if (definition === undefined) throw new Error(`apps/${folder}/src/config.ts has no definition`);
  const config = await loadConfig(definition, { env });
  const instanceId = env.SB_INSTANCE_ID ?? `${definition.service}-in-process`;
  const log = createLogger({
    service: definition.service,
    instanceId,
    level: 'silent',
    format: 'json',
    destination: new PassThrough(),
  });
  const service = app.build(config as LiveConfig<unknown>, log, instanceId, connections);
  const { port } = await service.start();
  return { port, stop: () => service.stop() };
}

/**
 * Starts the service in `apps/<folder>` for an end-to-end test as each mode runs it: its own
 * process in distributed mode (as in production), built in the test's process over the file's
 * in-process bus and cache (`context.connections`) in embedded mode. A test that must SIGKILL or
 * read a process uses {@link spawnService} and stays out of the embedded subset.
 */
export async function startMeshService(
  folder: string,
  env: Record<string, string>,
  connections: TestConnections | undefined,
): Promise<MeshService> {
  if (testModeOf(process.env) === 'embedded') {
    if (connections === undefined) {
      throw new Error('embedded mode: pass the test context connections to startMeshService');
    }
    return startInThisProcess(folder, env, connections);
  }
  return spawnService(folder, env);
}
