// The config definitions of the six services, for the tools that look at all of them at once
// (pnpm dev, the settings tables, the deployment checks). Services never import each other;
// these tools are not services.
import type { AnyServiceConfig } from '@switchboard/config';
import type { ServiceShortName } from '@switchboard/protocol';
import { a2aConfig } from '../apps/a2a-peer/src/config.ts';
import { gatewayConfig } from '../apps/gateway/src/config.ts';
import { routerConfig } from '../apps/message-router/src/config.ts';
import { stateConfig } from '../apps/state/src/config.ts';
import { tasksConfig } from '../apps/task-worker/src/config.ts';
import { toolsConfig } from '../apps/tool-registry/src/config.ts';

/** Each service's config definition, as its `main.ts` loads it. */
export const serviceDefinitions: Record<ServiceShortName, AnyServiceConfig> = {
  gateway: gatewayConfig,
  router: routerConfig,
  tools: toolsConfig,
  a2a: a2aConfig,
  state: stateConfig,
  tasks: tasksConfig,
};
