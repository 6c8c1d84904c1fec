import type { StreamResponse } from '@a2a-js/sdk';
import { V1PushNotificationSerializer } from '@a2a-js/sdk/server';
import type { Logger } from '@switchboard/logger';
import { checkOutboundUrl, type PeriodicJob, runEvery } from '@switchboard/service';
import type { ClaimedPush, TaskStore } from './db/task-store.ts';
import { backoffMs } from './domain/backoff.ts';
import { type PushSigner, pushHeaders } from './domain/push-headers.ts';

/** How the push sender behaves (live settings). */
export interface PushSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  pollMs: number;
  batchSize: number;
}

/**
 * Sends the queued push notifications: every replica claims due ones (`SKIP LOCKED`), posts
 * each task's in order, deletes what was delivered (any 2xx) and schedules a retry with backoff
 * for the rest, until `maxAttempts`. The queue is in Postgres, so a restart loses none.
 */
export function createPushSender(deps: {
  store: TaskStore;
  settings: () => PushSettings;
  signer: PushSigner | undefined;
  /** The event as it goes out (sealed for a task the encrypted-payloads extension began). */
  seal: (taskId: string, event: StreamResponse) => Promise<StreamResponse>;
  log: Logger;
  onOutcome?: (outcome: 'sent' | 'retried' | 'dropped') => void;
}) {
  const serializer = new V1PushNotificationSerializer();
  let job: PeriodicJob | undefined;

  async function deliver(push: ClaimedPush): Promise<void> {
    const settings = deps.settings();
    const config = await deps.store.pushConfig(push.taskId, push.configId);
    if (config === undefined) {
      await deps.store.removePush(push.id);
      return;
    }
    await checkOutboundUrl(
      config.url,
      { loopback: settings.allowPrivate, privateNetworks: settings.allowPrivate },
      'the push notification URL',
    );
    const { body, contentType } = serializer.serialize(await deps.seal(push.taskId, push.event));
    const response = await fetch(config.url, {
      method: 'POST',
      headers: await pushHeaders({ config, body, contentType, signer: deps.signer }),
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the receiver answered HTTP ${response.status}`);
  }

  async function failed(push: ClaimedPush, error: unknown): Promise<void> {
    const settings = deps.settings();
    const reason = error instanceof Error ? error.message : String(error);
    if (push.attempts + 1 >= settings.maxAttempts) {
      deps.log.warn(
        { taskId: push.taskId, configId: push.configId, attempts: push.attempts + 1, reason },
        'a push notification was given up',
      );
      await deps.store.removePush(push.id);
      deps.onOutcome?.('dropped');
      return;
    }
    await deps.store.retryPush(push.id, backoffMs(push.attempts, settings), reason);
    deps.onOutcome?.('retried');
  }

  // One task's notifications in order; after a failure the rest wait for the retry, so a
  // receiver never sees a later state before an earlier one.
  async function deliverTask(pushes: ClaimedPush[]): Promise<void> {
    for (const [index, push] of pushes.entries()) {
      try {
        await deliver(push);
        await deps.store.removePush(push.id);
        deps.onOutcome?.('sent');
      } catch (error) {
        await failed(push, error);
        const delay = backoffMs(push.attempts, deps.settings());
        for (const later of pushes.slice(index + 1)) await deps.store.deferPush(later.id, delay);
        return;
      }
    }
  }

  async function sendDue(): Promise<void> {
    const settings = deps.settings();
    const claimed = await deps.store.claimPushes(settings.batchSize, settings.timeoutMs * 2);
    const byTask = new Map<string, ClaimedPush[]>();
    for (const push of claimed) {
      byTask.set(push.taskId, [...(byTask.get(push.taskId) ?? []), push]);
    }
    await Promise.all([...byTask.values()].map(deliverTask));
  }

  return {
    start(): void {
      job = runEvery(() => deps.settings().pollMs, sendDue, {
        log: deps.log,
        what: 'sending push notifications',
      });
    },
    async stop(): Promise<void> {
      await job?.stop();
      job = undefined;
    },
    /** Sends what is due now (tests, and a wake-up after a change). */
    sendDue,
  };
}

/** The push sender (see {@link createPushSender}). */
export type PushSender = ReturnType<typeof createPushSender>;
