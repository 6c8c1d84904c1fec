import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * A registry per service instance (not prom-client's global one), so several services built in
 * one process (tests, the embedded mode) never clash. Default process metrics included.
 */
export function createMetricsRegistry(labels: {
  service: string;
  instance: string;
  version: string;
}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: labels.service, instance: labels.instance });
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'sb_build_info',
    help: 'Constant 1, labelled with the running version',
    labelNames: ['version'],
    registers: [registry],
  });
  info.set({ version: labels.version }, 1);
  return registry;
}
