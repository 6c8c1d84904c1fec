import { Counter, Histogram, type Registry } from 'prom-client';
import type { CompressionMetrics } from './codec.ts';

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

const originalBytesName = 'sb_bus_compressed_original_bytes_total';
const compressedBytesName = 'sb_bus_compressed_bytes_total';

/**
 * Registers (or reuses) the compression metrics in `registry`: the bytes of the bodies the bus
 * compressed, before and after, so `compressed / original` is the compression ratio (the
 * registry's default labels name the service).
 */
export function createCompressionMetrics(registry: Registry): CompressionMetrics {
  const counter = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, registers: [registry] });
  const original = counter(
    originalBytesName,
    'Bytes of the request and reply bodies the bus compressed, before compression',
  );
  const compressed = counter(
    compressedBytesName,
    'Bytes of the request and reply bodies the bus compressed, after compression',
  );
  return {
    observe(originalBytes, compressedBytes) {
      original.inc(originalBytes);
      compressed.inc(compressedBytes);
    },
  };
}
