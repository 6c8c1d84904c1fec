import { fileURLToPath } from 'node:url';
import type { LiveConfig } from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import { createService, type Service, type ServiceConnections } from '@switchboard/service';
import packageJson from '../package.json' with { type: 'json' };
import type { A2aConfig } from './config.ts';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Builds the A2A peer; `start()` connects, migrates and serves. Tests build it too. */
export function build(
  config: LiveConfig<A2aConfig>,
  log: RootLogger,
  instanceId: string,
  connections?: ServiceConnections,
): Service {
  return createService({
    service: 'a2a',
    version: packageJson.version,
    config,
    log,
    instanceId,
    connections,
    migrationsFolder,
    listen: () => config.current.a2a,
  });
}
