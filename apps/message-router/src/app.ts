import { fileURLToPath } from 'node:url';
import type { LiveConfig } from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import { createService, type Service } from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import type { RouterConfig } from './config.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the message router; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<RouterConfig>,
  log: RootLogger,
  instanceId: string,
): Service {
  return createService({
    service: 'router',
    version: packageJson.version,
    config,
    log,
    instanceId,
    migrationsFolder,
    listen: () => config.current.router,
  });
}
