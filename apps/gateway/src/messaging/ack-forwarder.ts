import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { type AckFrame, type Nack, type NackFrame, RouterAckRpc } from '@switchboard/protocol';
import type { AgentConnection } from '../ws/agent-connection.ts';
import { agentPrincipal } from '../ws/service-forwarder.ts';
import type { MessagingMetrics } from './messaging-metrics.ts';

/** Most acks and nacks one `RouterAckRpc` request carries. */
export const MAX_ACK_BATCH = 1000;

/** Whose acks a batch holds: one connection, whose credential the request acts with. */
type Acker = Pick<AgentConnection, 'principal'>;

interface Batch {
  agentId: string;
  acks: string[];
  nacks: Nack[];
}

/**
 * Forwards agents' `ack` and `nack` frames to the router, batched: what one connection sends
 * within a tick (up to {@link MAX_ACK_BATCH}) leaves as one `RouterAckRpc` request, acting as
 * the agent. A failed request is logged, never retried: the router redelivers what was not
 * acked and the SDK drops the duplicate.
 */
export function createAckForwarder(deps: { bus: Bus; log: Logger; metrics: MessagingMetrics }) {
  const { bus, log, metrics } = deps;
  const subject = bus.subjects.rpc('router', RouterAckRpc.operation);
  const batches = new Map<Acker, Batch>();
  const inFlight = new Set<Promise<void>>();
  let scheduled: NodeJS.Immediate | undefined;

  const flush = (connection: Acker, batch: Batch) => {
    batches.delete(connection);
    const counts = { acks: batch.acks.length, nacks: batch.nacks.length };
    const request = bus
      .request(
        subject,
        RouterAckRpc,
        { acks: batch.acks, nacks: batch.nacks },
        { principal: agentPrincipal(connection, batch.agentId) },
      )
      .then(
        () => metrics.forwardedAcks(counts, 'ok'),
        (err: unknown) => {
          metrics.forwardedAcks(counts, 'failed');
          log.warn(
            { err, agentId: batch.agentId, ...counts },
            'could not forward acks to the router; it will redeliver those messages',
          );
        },
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const flushAll = () => {
    scheduled = undefined;
    for (const [connection, batch] of batches) flush(connection, batch);
  };

  return {
    /** Adds an ack or nack of `agentId` (registered on `connection`) to the next batch. */
    add(connection: Acker, agentId: string, frame: AckFrame | NackFrame): void {
      let batch = batches.get(connection);
      if (batch === undefined) {
        batch = { agentId, acks: [], nacks: [] };
        batches.set(connection, batch);
      }
      if (frame.type === 'ack') {
        batch.acks.push(frame.deliveryId);
      } else {
        const { deliveryId, error, retryAfterMs } = frame;
        batch.nacks.push({
          deliveryId,
          ...(error === undefined ? {} : { error }),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      if (batch.acks.length + batch.nacks.length >= MAX_ACK_BATCH) flush(connection, batch);
      else scheduled ??= setImmediate(flushAll);
    },

    /** Sends what is batched and waits for every request in flight. */
    async stop(): Promise<void> {
      clearImmediate(scheduled);
      flushAll();
      await Promise.all([...inFlight]);
    },
  };
}

/** Batches and forwards acks (see {@link createAckForwarder}). */
export type AckForwarder = ReturnType<typeof createAckForwarder>;
