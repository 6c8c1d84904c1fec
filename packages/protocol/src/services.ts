/** The six services: folder name, short name (schema, queue group, subject token, env prefix) and default port. */
export const Services = {
  gateway: { folder: 'gateway', port: 7700 },
  router: { folder: 'message-router', port: 7701 },
  tools: { folder: 'tool-registry', port: 7702 },
  a2a: { folder: 'a2a-peer', port: 7703 },
  state: { folder: 'state', port: 7704 },
  tasks: { folder: 'task-worker', port: 7705 },
} as const;

/** A service's short name. */
export type ServiceShortName = keyof typeof Services;

/** Every short name, in port order. */
export const serviceShortNames = Object.keys(Services) as ServiceShortName[];
