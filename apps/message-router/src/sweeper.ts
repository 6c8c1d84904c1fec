import type { Logger } from '@switchboard/logger';
import { runEvery, sweepInBatches } from '@switchboard/service';
import type { RouterSettings } from './config.ts';
import type { HistoryStore } from './db/history-store.ts';
import type { MessageStore } from './db/message-store.ts';
import type { Dispatcher } from './dispatcher.ts';
import type { Settler } from './handlers/acks.ts';
import type { RouterMetrics } from './router-metrics.ts';
import type { SubscriptionCache } from './subscription-cache.ts';

/**
 * The router's clockwork, on every replica (each step is safe to run concurrently): fails
 * deliveries whose lease ran out, drops queued ones past their TTL, wakes every agent with a due
 * delivery (new or retried: nothing accepted waits for an event that was lost), checks the topic
 * index, refreshes the queue-depth gauges; and, less often, applies retention.
 */
export function startSweeper(deps: {
  store: MessageStore;
  history: HistoryStore;
  settler: Settler;
  dispatcher: Dispatcher;
  subscriptionCache: SubscriptionCache;
  settings: () => RouterSettings;
  metrics: RouterMetrics;
  log: Logger;
}) {
  const { store, settler, dispatcher, metrics, log } = deps;
  const delivery = () => deps.settings().delivery;

  const sweepDeliveries = async () => {
    const limit = delivery().batchSize;
    await settler.expireLeases(limit);
    const expired = await store.expireQueued(limit);
    if (expired > 0) metrics.expired(expired);
    dispatcher.wake(await store.dueAgents(limit));
    await deps.subscriptionCache.check();
    const depth = await store.depth();
    metrics.depth(depth.queued, depth.inflight);
  };

  let stopping = false;
  const sweepRetention = async () => {
    const retention = deps.settings().retention;
    const removed = { messages: 0, deadLetters: 0 };
    await sweepInBatches(
      async () => {
        const batch = await deps.history.sweep({
          messagesMs: retention.messagesMs,
          deadLettersMs: retention.deadLettersMs,
          limit: retention.sweepBatchSize,
        });
        removed.messages += batch.messages;
        removed.deadLetters += batch.deadLetters;
        return Math.max(batch.messages, batch.deadLetters);
      },
      retention.sweepBatchSize,
      () => stopping,
    );
    if (removed.messages + removed.deadLetters > 0)
      log.info(removed, 'retention removed old messages');
  };

  const jobs = [
    runEvery(() => delivery().sweepIntervalMs, sweepDeliveries, {
      log,
      what: 'the delivery sweep',
    }),
    runEvery(() => deps.settings().retention.sweepIntervalMs, sweepRetention, {
      log,
      what: 'the retention sweep',
    }),
  ];
  return {
    /** Runs the delivery sweep once now (tests and start-up use it). */
    sweepNow: sweepDeliveries,
    async stop(): Promise<void> {
      stopping = true;
      await Promise.all(jobs.map((job) => job.stop()));
    },
  };
}
