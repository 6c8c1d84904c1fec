import { fileURLToPath } from 'node:url';
import type { LiveConfig } from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import { createService, type Service } from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import type { TasksConfig } from './config.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the task worker; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<TasksConfig>,
  log: RootLogger,
  instanceId: string,
): Service {
  return createService({
    service: 'tasks',
    version: packageJson.version,
    config,
    log,
    instanceId,
    migrationsFolder,
    listen: () => config.current.tasks,
  });
}
