import type { Registry } from 'prom-client';

const requestsMetric = 'sb_bus_requests_total';

/**
 * The figures every replica reports in `stats`, beside its service's own: RPCs served and
 * failed (from the bus's counter) and memory in use.
 */
export async function baseFigures(metrics: Registry): Promise<Record<string, number>> {
  const counter = metrics.getSingleMetric(requestsMetric);
  const values = counter === undefined ? [] : (await counter.get()).values;
  let rpcServed = 0;
  let rpcFailed = 0;
  for (const { value, labels } of values) {
    rpcServed += value;
    if (labels.outcome !== 'ok') rpcFailed += value;
  }
  const memory = process.memoryUsage();
  return { rpcServed, rpcFailed, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
}
