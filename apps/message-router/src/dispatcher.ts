import type { Bus } from '@switchboard/bus';
import type { Cache } from '@switchboard/cache';
import type { RecordCodec } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import {
  type DeliveredMessage,
  GatewayDeliverRpc,
  isSbError,
  PresenceSchema,
  type Push,
  presenceKey,
} from '@switchboard/protocol';
import type { RouterSettings } from './config.ts';
import { deliveredMessageOf } from './db/message-row.ts';
import type { AckedDelivery, ClaimedDelivery, MessageStore } from './db/message-store.ts';
import type { RouterMetrics } from './router-metrics.ts';

/** Agents one dispatch round looks at. */
const AGENTS_PER_ROUND = 1000;

/**
 * Pushes deliveries to the gateways holding their recipients. Anything may `wake` an agent
 * (a message accepted for it that the accept's own claim did not push, an ack that frees its
 * window, its connection, a due retry); a round reads where the woken agents are connected
 * (presence in Redis), claims the heads of their queues in Postgres and sends one push request
 * per gateway. A push that reaches no socket is put back at once; one that reaches a socket and
 * is never acked is retried by the sweep when its lease runs out.
 */
export function createDispatcher(deps: {
  bus: Bus;
  cache: Cache;
  store: MessageStore;
  /** Decodes the payloads of claimed messages. */
  codec: RecordCodec;
  settings: () => RouterSettings;
  metrics: RouterMetrics;
  log: Logger;
}) {
  const { bus, cache, store, metrics, log } = deps;
  const woken = new Set<string>();
  let round: Promise<void> | undefined;
  // Pushes are not awaited by their round: the next round claims while they travel.
  const pushing = new Set<Promise<void>>();
  let stopped = false;

  /** Where each agent is connected, for those that are. */
  async function gatewaysOf(agentIds: readonly string[]): Promise<Map<string, string>> {
    const values = await cache.getManyJson(agentIds.map(presenceKey));
    const located = new Map<string, string>();
    values.forEach((value, index) => {
      const presence = PresenceSchema.safeParse(value);
      if (presence.success) located.set(agentIds[index] as string, presence.data.gatewayId);
    });
    return located;
  }

  async function push(
    gatewayId: string,
    pushes: Push[],
    claimed: ClaimedDelivery[],
  ): Promise<void> {
    const { backoffBaseMs } = deps.settings().delivery;
    try {
      const reply = await bus.request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, {
        pushes,
      });
      const notConnected = reply.missed.filter((miss) => miss.reason === 'not_connected');
      const slow = reply.missed.filter((miss) => miss.reason === 'backpressure');
      // The agent moved: due again at once, on its new gateway. A slow agent gets a pause.
      await store.release(
        notConnected.map((miss) => miss.deliveryId),
        0,
      );
      await store.release(
        slow.map((miss) => miss.deliveryId),
        backoffBaseMs,
      );
      if (notConnected.length > 0) metrics.missed('not_connected', notConnected.length);
      if (slow.length > 0) metrics.missed('backpressure', slow.length);
      metrics.pushed(claimed.length - reply.missed.length);
      const moved = new Set(notConnected.map((miss) => miss.deliveryId));
      wake(claimed.filter((c) => moved.has(c.deliveryId)).map((c) => c.agentId));
    } catch (error) {
      if (isSbError(error) && error.code === 'E_TIMEOUT') {
        // The gateway may have written them: the ack timeout settles each one.
        log.warn({ gatewayId, deliveries: claimed.length }, 'a push request timed out');
        return;
      }
      // No such gateway any more (its presence is stale): back after a pause.
      log.warn({ err: error, gatewayId }, 'a push request failed; the deliveries wait for a retry');
      metrics.missed('gateway_unreachable', claimed.length);
      await store.release(
        claimed.map((c) => c.deliveryId),
        backoffBaseMs,
      );
    }
  }

  /**
   * Sends claimed deliveries to the gateways `located` names, one push request per gateway,
   * without waiting for them: the next claim runs while they travel.
   */
  function pushClaimed(claimed: readonly ClaimedDelivery[], located: Map<string, string>): void {
    const byGateway = new Map<string, { pushes: Push[]; claimed: ClaimedDelivery[] }>();
    for (const delivery of claimed) {
      let message: DeliveredMessage;
      try {
        message = deliveredMessageOf(delivery.message, deps.codec);
      } catch (error) {
        // A payload that does not decrypt (altered, or its key not loaded) must not hold up the
        // others: it stays claimed, its lease runs out, and its retries end in the dead letters.
        log.error({ err: error, deliveryId: delivery.deliveryId }, 'a message was not pushed');
        continue;
      }
      const gatewayId = located.get(delivery.agentId) as string;
      let group = byGateway.get(gatewayId);
      if (group === undefined) {
        group = { pushes: [], claimed: [] };
        byGateway.set(gatewayId, group);
      }
      group.claimed.push(delivery);
      group.pushes.push({
        kind: 'message',
        agentId: delivery.agentId,
        deliveryId: delivery.deliveryId,
        attempt: delivery.attempt,
        message,
      });
    }
    for (const [gatewayId, group] of byGateway) {
      const sent = push(gatewayId, group.pushes, group.claimed)
        .catch((error: unknown) => log.error({ err: error, gatewayId }, 'a push failed'))
        .finally(() => pushing.delete(sent));
      pushing.add(sent);
    }
  }

  async function runRound(): Promise<void> {
    const agentIds = [...woken].slice(0, AGENTS_PER_ROUND);
    for (const agentId of agentIds) woken.delete(agentId);
    const located = await gatewaysOf(agentIds);
    if (located.size === 0) return;
    const { maxInFlight, ackTimeoutMs, batchSize } = deps.settings().delivery;
    const claimed = await metrics.timed('claim', () =>
      store.claim([...located.keys()], { maxInFlight, ackTimeoutMs, limit: batchSize }),
    );
    if (claimed.length === 0) return;
    pushClaimed(claimed, located);
    // A full round may have left more behind the window or the limit.
    if (claimed.length >= batchSize) wake(claimed.map((delivery) => delivery.agentId));
  }

  function schedule(): void {
    if (round !== undefined || stopped || woken.size === 0) return;
    round = runRound()
      .catch((error: unknown) => {
        // The sweep wakes every agent with due deliveries again, so nothing is stranded.
        log.error({ err: error }, 'a dispatch round failed');
      })
      .finally(() => {
        round = undefined;
        schedule();
      });
  }

  function wake(agentIds: Iterable<string>): void {
    for (const agentId of agentIds) woken.add(agentId);
    schedule();
  }

  return {
    wake,

    /**
     * Where the connected ones among `agentIds` are, for a claim made elsewhere (the accept's).
     * None once stopped, and none when Redis cannot say: accepting must not depend on the fast
     * path, the dispatch rounds the accept wakes (and the sweep) deliver those messages.
     */
    async locate(agentIds: readonly string[]): Promise<Map<string, string>> {
      if (stopped || agentIds.length === 0) return new Map();
      try {
        return await gatewaysOf(agentIds);
      } catch (error) {
        log.debug({ err: error }, 'presence not read; the dispatch rounds take these agents');
        return new Map();
      }
    },

    /** Pushes deliveries claimed elsewhere (by the accept) to the gateways `locate` found. */
    pushClaimed,

    /** Tells senders that asked for receipts that their messages were acked (best effort). */
    async sendReceipts(acked: readonly AckedDelivery[]): Promise<void> {
      const wanted = acked.filter((delivery) => delivery.receiptTo !== null);
      if (wanted.length === 0) return;
      const located = await gatewaysOf([...new Set(wanted.map((d) => d.receiptTo as string))]);
      const byGateway = new Map<string, Push[]>();
      const at = new Date().toISOString();
      for (const delivery of wanted) {
        const sender = delivery.receiptTo as string;
        const gatewayId = located.get(sender);
        if (gatewayId === undefined) continue;
        const pushes = byGateway.get(gatewayId) ?? [];
        pushes.push({
          kind: 'receipt',
          agentId: sender,
          messageId: delivery.messageId,
          recipient: delivery.agentId,
          at,
        });
        byGateway.set(gatewayId, pushes);
      }
      await Promise.all(
        [...byGateway].map(([gatewayId, pushes]) =>
          bus
            .request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, { pushes })
            .catch((error: unknown) =>
              log.debug({ err: error, gatewayId }, 'a receipt was not delivered'),
            ),
        ),
      );
    },

    /** Stops dispatching and waits for the round and the pushes in progress. */
    async stop(): Promise<void> {
      stopped = true;
      await round;
      await Promise.all(pushing);
    },
  };
}

/** The dispatcher (see {@link createDispatcher}). */
export type Dispatcher = ReturnType<typeof createDispatcher>;
