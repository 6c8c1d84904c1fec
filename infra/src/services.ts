import type { AnyServiceConfig } from '@switchboard/config';
import { type ServiceShortName, Services, serviceShortNames } from '@switchboard/protocol';
import { serviceDefinitions } from '../../scripts/service-definitions.ts';

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

/** The six services, in port order. */
export const deployedServices: readonly DeployedService[] = serviceShortNames.map((short) => ({
  short,
  folder: Services[short].folder,
  port: Services[short].port,
  definition: serviceDefinitions[short],
}));

/** Services that take outside traffic: the only ones compose publishes and the Ingress routes. */
export const publicServices: ReadonlySet<ServiceShortName> = new Set(['gateway', 'tools', 'a2a']);
