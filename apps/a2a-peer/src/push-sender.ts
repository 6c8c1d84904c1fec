import { createHash, randomUUID } from 'node:crypto';
import type { TaskPushNotificationConfig } from '@a2a-js/sdk';
import { V1PushNotificationSerializer } from '@a2a-js/sdk/server';
import type { Logger } from '@switchboard/logger';
import { checkOutboundUrl, type PeriodicJob, runEvery } from '@switchboard/service';
import { type CryptoKey, SignJWT } from 'jose';
import type { ClaimedPush, TaskStore } from './db/task-store.ts';

/** Signs push notification JWTs with the card key (verifiable with `/.well-known/jwks.json`). */
export interface PushSigner {
  kid: string;
  alg: string;
  key: CryptoKey;
  issuer: string;
}

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

/** The delay before attempt `attempt + 1` of a push: doubled each time, capped, with jitter. */
export function pushBackoffMs(attempt: number, settings: PushSettings, random = Math.random) {
  const exponential = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attempt);
  // Full jitter over the upper half: retries of many failed pushes spread out.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * The headers of a push notification: the config's token (under both spellings the SDKs read),
 * and either the config's own credentials or a short-lived JWT signed with the card key that
 * names the task, the receiver and the body's SHA-256.
 */
export async function pushHeaders(input: {
  config: TaskPushNotificationConfig;
  body: string;
  contentType: string;
  signer: PushSigner | undefined;
}): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': input.contentType };
  if (input.config.token !== '') {
    headers['x-a2a-notification-token'] = input.config.token;
    headers['a2a-notification-token'] = input.config.token;
  }
  const auth = input.config.authentication;
  if (auth !== undefined && auth.scheme !== '') {
    headers.authorization = `${auth.scheme} ${auth.credentials}`;
  } else if (input.signer !== undefined) {
    const digest = createHash('sha256').update(input.body).digest('base64url');
    headers.authorization = `Bearer ${await new SignJWT({
      taskId: input.config.taskId,
      request_body_sha256: digest,
    })
      .setProtectedHeader({ alg: input.signer.alg, kid: input.signer.kid, typ: 'JWT' })
      .setIssuer(input.signer.issuer)
      .setAudience(input.config.url)
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti(randomUUID())
      .sign(input.signer.key)}`;
  }
  return headers;
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
    await checkOutboundUrl(config.url, settings.allowPrivate, 'the push notification URL');
    const { body, contentType } = serializer.serialize(push.event);
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
    await deps.store.retryPush(push.id, pushBackoffMs(push.attempts, settings), reason);
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
        const delay = pushBackoffMs(push.attempts, deps.settings());
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
