import { type Nack, SbError } from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import { createBatcher } from '@switchboard/service';
import type { RouterSettings } from '../config.ts';
import type { FailedAttempt, MessageStore, RetryPlanner } from '../db/message-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import { retryDelayMs } from '../domain/backoff.ts';
import type { RouterMetrics } from '../router-metrics.ts';

/** One recipient's acks and nacks, as one request carries them. */
interface AckRequest {
  agentId: string;
  acks: string[];
  nacks: Nack[];
}

/** Retry after a growing delay until the last attempt, then dead-letter. */
export function retryPlanner(settings: () => RouterSettings): RetryPlanner {
  return (attempts, retryAfterMs) => {
    const delivery = settings().delivery;
    if (attempts >= delivery.maxAttempts) return 'dead';
    return retryAfterMs ?? retryDelayMs(attempts, delivery);
  };
}

/**
 * Settles attempts: acks from recipients, nacks, and (from the sweep) leases that ran out.
 * Requests from many recipients are written together (group commit).
 */
export function createSettler(deps: {
  store: MessageStore;
  dispatcher: Dispatcher;
  settings: () => RouterSettings;
  metrics: RouterMetrics;
  onDeadLetters: (dead: Array<{ deliveryId: string; agentId: string; messageId: string }>) => void;
}) {
  const { store, dispatcher, metrics } = deps;
  const plan = retryPlanner(deps.settings);

  /** Records failed attempts and wakes whoever has room again. */
  async function fail(failures: FailedAttempt[], cause: 'nack' | 'timeout') {
    const outcome = await store.fail(failures, plan);
    if (outcome.retried.length > 0) metrics.retried(cause, outcome.retried.length);
    if (outcome.dead.length > 0) {
      metrics.deadLettered(outcome.dead.length);
      deps.onDeadLetters(outcome.dead);
    }
    if (outcome.expired.length > 0) metrics.expired(outcome.expired.length);
    const settled = [...outcome.retried, ...outcome.dead, ...outcome.expired];
    dispatcher.wake(settled.map((delivery) => delivery.agentId));
    return settled.length;
  }

  const batcher = createBatcher<AckRequest, { applied: number; ignored: number }>(
    async (requests) => {
      const acks = requests.flatMap((request) =>
        request.acks.map((deliveryId) => ({ deliveryId, agentId: request.agentId })),
      );
      const acked = await metrics.timed('ack', () => store.ack(acks));
      const failures = requests.flatMap((request) =>
        request.nacks.map(
          (nack): FailedAttempt => ({
            deliveryId: nack.deliveryId,
            agentId: request.agentId,
            error: nack.error ?? { code: 'E_INTERNAL', message: 'the handler failed' },
            retryAfterMs: nack.retryAfterMs,
          }),
        ),
      );
      await fail(failures, 'nack');
      if (acked.length > 0) {
        metrics.acked(acked.map((delivery) => delivery.acceptedAt));
        dispatcher.wake(acked.map((delivery) => delivery.agentId));
        void dispatcher.sendReceipts(acked);
      }
      const ackedIds = new Set(acked.map((delivery) => delivery.deliveryId));
      // Per request: its acks that landed; nacks count as applied (a stale one changes nothing).
      return requests.map((request) => {
        const applied = request.acks.filter((id) => ackedIds.has(id)).length + request.nacks.length;
        return { applied, ignored: request.acks.length - (applied - request.nacks.length) };
      });
    },
    { maxBatch: () => 1000 },
  );

  return {
    /** Acks and nacks of the calling recipient. */
    settle(caller: Caller, acks: string[], nacks: Nack[]) {
      if (caller.agentId === null) {
        throw new SbError('E_FORBIDDEN', 'only the recipient agent acks or nacks its deliveries');
      }
      return batcher.submit({ agentId: caller.agentId, acks, nacks });
    },

    /** Fails in-flight deliveries whose lease ran out (the sweep calls this). */
    async expireLeases(limit: number): Promise<number> {
      const overdue = await store.overdue(limit);
      if (overdue.length === 0) return 0;
      const { ackTimeoutMs } = deps.settings().delivery;
      return fail(
        overdue.map((delivery) => ({
          ...delivery,
          overdue: true,
          error: { code: 'E_TIMEOUT', message: `not acked within ${ackTimeoutMs} ms` },
        })),
        'timeout',
      );
    },
  };
}

/** The settler (see {@link createSettler}). */
export type Settler = ReturnType<typeof createSettler>;
