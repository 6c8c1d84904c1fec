import type { AnyServiceConfig } from '@switchboard/config';
import { type ServiceShortName, Services, serviceShortNames } from '@switchboard/protocol';
import { a2aConfig } from '../../apps/a2a-peer/src/config.ts';
import { gatewayConfig } from '../../apps/gateway/src/config.ts';
import { routerConfig } from '../../apps/message-router/src/config.ts';
import { stateConfig } from '../../apps/state/src/config.ts';
import { tasksConfig } from '../../apps/task-worker/src/config.ts';
import { toolsConfig } from '../../apps/tool-registry/src/config.ts';

/** One service as the deployment files name it. */
export interface DeployedService {
  /** Short name: env prefix, NATS user, subject token. */
  short: ServiceShortName;
  /** Folder under `apps/`: image, compose service, Kubernetes Deployment. */
  folder: string;
  /** Default HTTP port (probes, metrics, endpoints). */
  port: number;
  /** The service's config definition, as its `main.ts` loads it. */
  definition: AnyServiceConfig;
}

const definitions: Record<ServiceShortName, AnyServiceConfig> = {
  gateway: gatewayConfig,
  router: routerConfig,
  tools: toolsConfig,
  a2a: a2aConfig,
  state: stateConfig,
  tasks: tasksConfig,
};

/** The six services, in port order. */
export const deployedServices: readonly DeployedService[] = serviceShortNames.map((short) => ({
  short,
  folder: Services[short].folder,
  port: Services[short].port,
  definition: definitions[short],
}));

/** Services that take outside traffic: the only ones compose publishes and the Ingress routes. */
export const publicServices: ReadonlySet<ServiceShortName> = new Set(['gateway', 'tools', 'a2a']);
