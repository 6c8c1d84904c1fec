// The six services the embedded runtime builds in one process, each from its own `app.ts`
// `build`, as its `main.ts` would. Services never import each other; this runtime is not one.
import {
  type AnyServiceConfig,
  type ConfigOf,
  type LiveConfig,
  loadConfig,
} from '@switchboard/config';
import type { RootLogger } from '@switchboard/logger';
import type { ServiceShortName } from '@switchboard/protocol';
import type { BuildService, Service, ServiceConnections } from '@switchboard/service';
import { build as buildA2a } from '../../../apps/a2a-peer/src/app.ts';
import { a2aConfig } from '../../../apps/a2a-peer/src/config.ts';
import { build as buildGateway } from '../../../apps/gateway/src/app.ts';
import { gatewayConfig } from '../../../apps/gateway/src/config.ts';
import { build as buildRouter } from '../../../apps/message-router/src/app.ts';
import { routerConfig } from '../../../apps/message-router/src/config.ts';
import { build as buildState } from '../../../apps/state/src/app.ts';
import { stateConfig } from '../../../apps/state/src/config.ts';
import { build as buildTasks } from '../../../apps/task-worker/src/app.ts';
import { tasksConfig } from '../../../apps/task-worker/src/config.ts';
import { build as buildTools } from '../../../apps/tool-registry/src/app.ts';
import { toolsConfig } from '../../../apps/tool-registry/src/config.ts';

/** One service's config, read from `env` the way its `main.ts` reads it. */
export interface LoadedService {
  short: ServiceShortName;
  config: LiveConfig<unknown>;
  /** Builds it over `connections` (what its `main.ts` would connect to itself). */
  build(log: RootLogger, instanceId: string, connections: ServiceConnections): Service;
}

/** How to load and build one service, its config type kept between the two. */
export interface MeshService {
  short: ServiceShortName;
  load(env: NodeJS.ProcessEnv): Promise<LoadedService>;
}

function meshService<D extends AnyServiceConfig>(
  definition: D,
  build: BuildService<ConfigOf<D>>,
): MeshService {
  const short = definition.service;
  return {
    short,
    load: async (env) => {
      const config = await loadConfig(definition, { env });
      return {
        short,
        config: config as LiveConfig<unknown>,
        build: (log, instanceId, connections) => build(config, log, instanceId, connections),
      };
    },
  };
}

/**
 * The six services in stop order: the doors agents and peers come in by first, so that what
 * they hand on while closing (a gateway's last acks) still finds the services behind them.
 */
export const meshServices: MeshService[] = [
  meshService(gatewayConfig, buildGateway),
  meshService(a2aConfig, buildA2a),
  meshService(toolsConfig, buildTools),
  meshService(routerConfig, buildRouter),
  meshService(tasksConfig, buildTasks),
  meshService(stateConfig, buildState),
];
