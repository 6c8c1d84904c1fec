import type { PushMissReason } from '@switchboard/protocol';
import { Counter, type Registry } from 'prom-client';

/** The gateway's messaging metrics (pushes to agents, their acks), on the service's registry. */
export function createMessagingMetrics(registry: Registry) {
  const written = new Counter({
    name: 'sb_gateway_pushes_total',
    help: 'Pushes written to agent sockets, by kind (message, receipt)',
    labelNames: ['kind'],
    registers: [registry],
  });
  const missed = new Counter({
    name: 'sb_gateway_pushes_missed_total',
    help: 'Pushes not written to an agent socket, by kind and reason (not_connected, backpressure)',
    labelNames: ['kind', 'reason'],
    registers: [registry],
  });
  const acks = new Counter({
    name: 'sb_gateway_acks_forwarded_total',
    help: 'Acks and nacks forwarded to the router, by kind (ack, nack) and outcome (ok, failed)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const figures = { pushesWritten: 0, pushesMissed: 0, acksForwarded: 0, nacksForwarded: 0 };
  return {
    pushed(kind: string, outcome: 'written' | PushMissReason) {
      if (outcome === 'written') {
        written.inc({ kind });
        figures.pushesWritten += 1;
      } else {
        missed.inc({ kind, reason: outcome });
        figures.pushesMissed += 1;
      }
    },
    forwardedAcks(counts: { acks: number; nacks: number }, outcome: 'ok' | 'failed') {
      acks.inc({ kind: 'ack', outcome }, counts.acks);
      acks.inc({ kind: 'nack', outcome }, counts.nacks);
      if (outcome !== 'ok') return;
      figures.acksForwarded += counts.acks;
      figures.nacksForwarded += counts.nacks;
    },
    /** Figures for `<ns>.v1.gateway.stats`, counted since this replica started. */
    stats(): Record<string, number> {
      return { ...figures };
    },
  };
}

/** The messaging metrics (see {@link createMessagingMetrics}). */
export type MessagingMetrics = ReturnType<typeof createMessagingMetrics>;
