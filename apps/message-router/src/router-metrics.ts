import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LatencyWindow } from './domain/latency-window.ts';

/** How far back the stats' delivery quantiles look. */
const LATENCY_WINDOW_SECONDS = 60;

/** The router's metrics (DESIGN.md, Observability), plus the figures of its stats snapshot. */
export function createRouterMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const accepted = counter(
    'sb_router_messages_accepted_total',
    'Messages accepted, by target kind',
    ['kind'],
  );
  const duplicates = counter(
    'sb_router_messages_duplicate_total',
    'Re-sent messages answered from the first acceptance',
  );
  const pushed = counter('sb_router_deliveries_pushed_total', 'Deliveries pushed to a gateway');
  const missed = counter(
    'sb_router_pushes_missed_total',
    'Pushes a gateway could not write, by reason',
    ['reason'],
  );
  const acked = counter('sb_router_deliveries_acked_total', 'Deliveries acked by their recipient');
  const retried = counter(
    'sb_router_deliveries_retried_total',
    'Attempts that failed and will be retried, by cause',
    ['cause'],
  );
  const deadLettered = counter(
    'sb_router_dead_letters_total',
    'Deliveries that became dead letters',
  );
  const expired = counter(
    'sb_router_deliveries_expired_total',
    'Deliveries dropped because their TTL ran out before delivery',
  );
  const latency = new Histogram({
    name: 'sb_router_delivery_latency_seconds',
    help: "From acceptance to the recipient's ack",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'sb_router_accept_batch_size',
    help: 'Messages written to Postgres in one transaction',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const statementSeconds = new Histogram({
    name: 'sb_router_statement_duration_seconds',
    help: "Time of the router's Postgres work per batch: accept (with its own claim), a dispatch round's claim, ack",
    labelNames: ['statement'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const depth = new Gauge({
    name: 'sb_router_queue_depth',
    help: 'Deliveries waiting (queued) or in flight, mesh-wide, as of the last sweep',
    labelNames: ['status'],
    registers: [registry],
  });

  // Acceptance to ack, per ack, for the quantiles of the stats snapshot.
  const recent = new LatencyWindow(LATENCY_WINDOW_SECONDS);
  const figures = {
    accepted: 0,
    duplicates: 0,
    pushed: 0,
    missed: 0,
    acked: 0,
    retried: 0,
    deadLettered: 0,
    expired: 0,
    queued: 0,
    inflight: 0,
  };

  return {
    accepted(kind: string, count = 1) {
      accepted.inc({ kind }, count);
      figures.accepted += count;
    },
    duplicate() {
      duplicates.inc();
      figures.duplicates += 1;
    },
    batch(size: number) {
      batchSize.observe(size);
    },
    /** Times `work` as one batch of `statement` (accept, claim, ack). */
    async timed<T>(statement: 'accept' | 'claim' | 'ack', work: () => Promise<T>): Promise<T> {
      const end = statementSeconds.startTimer({ statement });
      try {
        return await work();
      } finally {
        end();
      }
    },
    pushed(count: number) {
      pushed.inc(count);
      figures.pushed += count;
    },
    missed(reason: string, count: number) {
      missed.inc({ reason }, count);
      figures.missed += count;
    },
    acked(acceptedAt: readonly Date[]) {
      const now = Date.now();
      for (const at of acceptedAt) {
        latency.observe((now - at.getTime()) / 1000);
        recent.record(now, now - at.getTime());
      }
      acked.inc(acceptedAt.length);
      figures.acked += acceptedAt.length;
    },
    retried(cause: 'nack' | 'timeout', count: number) {
      retried.inc({ cause }, count);
      figures.retried += count;
    },
    deadLettered(count: number) {
      deadLettered.inc(count);
      figures.deadLettered += count;
    },
    expired(count: number) {
      expired.inc(count);
      figures.expired += count;
    },
    depth(queued: number, inflight: number) {
      depth.set({ status: 'queued' }, queued);
      depth.set({ status: 'inflight' }, inflight);
      figures.queued = queued;
      figures.inflight = inflight;
    },
    /** The figures, with delivery quantiles (ms) of the last minute once there were acks. */
    stats(): Record<string, number> {
      const now = Date.now();
      const p50 = recent.quantile(now, 0.5);
      const p99 = recent.quantile(now, 0.99);
      return {
        ...figures,
        ...(p50 === undefined ? {} : { deliveryP50Ms: Math.round(p50 * 10) / 10 }),
        ...(p99 === undefined ? {} : { deliveryP99Ms: Math.round(p99 * 10) / 10 }),
      };
    },
  };
}

/** The router's metrics (see {@link createRouterMetrics}). */
export type RouterMetrics = ReturnType<typeof createRouterMetrics>;
