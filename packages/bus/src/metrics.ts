import { Counter, Histogram, type Registry } from 'prom-client';

/** Records the outcome and duration of each served RPC. */
export interface RpcMetrics {
  /** `outcome` is `ok` or the error code of the reply. */
  observe(operation: string, outcome: string, durationSeconds: number): void;
}

/** Records nothing: the bus was given no registry. */
export const noRpcMetrics: RpcMetrics = { observe: () => {} };

const requestsName = 'sb_bus_requests_total';
const durationName = 'sb_bus_request_duration_seconds';

/**
 * Registers (or reuses, when another bus of the process registered them first) the RPC
 * metrics in `registry`. Labelled by operation, not subject, to keep cardinality bounded.
 */
export function createRpcMetrics(registry: Registry): RpcMetrics {
  const requests =
    (registry.getSingleMetric(requestsName) as Counter<'operation' | 'outcome'> | undefined) ??
    new Counter({
      name: requestsName,
      help: 'RPC requests served over the bus, by operation and outcome (ok or error code)',
      labelNames: ['operation', 'outcome'] as const,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(durationName) as Histogram<'operation'> | undefined) ??
    new Histogram({
      name: durationName,
      help: 'Time to serve an RPC over the bus, from receipt to reply, by operation',
      labelNames: ['operation'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  return {
    observe(operation, outcome, durationSeconds) {
      requests.inc({ operation, outcome });
      duration.observe({ operation }, durationSeconds);
    },
  };
}
