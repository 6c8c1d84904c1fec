import { assertAllowed } from '@switchboard/authz';
import {
  DEFAULT_PRIORITY,
  type MessageHeaders,
  type MessageTarget,
  type OutgoingMessage,
  SbError,
  type SendResult,
} from '@switchboard/protocol';
import type { Caller } from '@switchboard/service';
import { createBatcher } from '@switchboard/service';
import type { AgentDirectory } from '../agent-directory.ts';
import type { RouterSettings } from '../config.ts';
import type { MessageStore, NewMessage } from '../db/message-store.ts';
import type { Dispatcher } from '../dispatcher.ts';
import { type PickContext, pickAnycast, weightOf } from '../domain/anycast.ts';
import type { RouterMetrics } from '../router-metrics.ts';
import type { SubscriptionCache } from '../subscription-cache.ts';

/**
 * Accepting a message: check it, authorize the sender, resolve its recipients, then store it
 * with its deliveries (group commit across concurrent senders), claiming in the same round trip
 * what its connected recipients can take, and push that. The sender hears `accepted` only after
 * the commit.
 */
export function createAcceptor(deps: {
  store: MessageStore;
  agents: AgentDirectory;
  subscriptions: SubscriptionCache;
  dispatcher: Dispatcher;
  settings: () => RouterSettings;
  metrics: RouterMetrics;
  pick?: PickContext;
}) {
  const { store, agents, subscriptions, dispatcher, metrics } = deps;
  const turns = new Map<string, number>();
  const pick: PickContext = deps.pick ?? {
    nextTurn: (key) => {
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      return turn;
    },
    random: Math.random,
  };

  const batcher = createBatcher<NewMessage, SendResult>(
    async (batch) => {
      metrics.batch(batch.length);
      // Where the recipients are connected, so the accept's own claim can take their queues'
      // heads: those messages leave with the commit instead of waiting for a dispatch round.
      const located = await dispatcher.locate([
        ...new Set(batch.flatMap((message) => message.recipients)),
      ]);
      const { maxInFlight, ackTimeoutMs, batchSize } = deps.settings().delivery;
      const { outcome, claimed } = await metrics.timed('accept', () =>
        store.accept(batch, {
          agentIds: [...located.keys()],
          maxInFlight,
          ackTimeoutMs,
          limit: batchSize,
        }),
      );
      dispatcher.pushClaimed(claimed, located);
      const reached = new Set(claimed.map((delivery) => delivery.agentId));
      const woken = new Set<string>();
      const results = batch.map((message) => {
        const stored = outcome.get(message.id) ?? { duplicate: true, recipients: 0 };
        if (stored.duplicate) metrics.duplicate();
        else {
          metrics.accepted(message.target.kind);
          for (const agentId of message.recipients) woken.add(agentId);
        }
        return {
          messageId: message.id,
          recipients: stored.recipients,
          duplicate: stored.duplicate,
        };
      });
      // A recipient the claim did not reach goes to a dispatch round as before: its window may
      // be full (its next ack wakes it anyway), but it may also have connected since `locate`,
      // or another claim may have held it with a snapshot older than this commit. One that got
      // deliveries needs a round only when the claim's limit may have left more behind.
      const fullClaim = claimed.length >= batchSize;
      dispatcher.wake([...woken].filter((agentId) => fullClaim || !reached.has(agentId)));
      return results;
    },
    { maxBatch: () => deps.settings().accept.maxBatch },
  );

  async function recipientsOf(
    target: MessageTarget,
    headers: MessageHeaders,
    caller: Caller,
  ): Promise<string[]> {
    switch (target.kind) {
      case 'agent': {
        const found = await agents.existing([target.agentId]);
        if (!found.has(target.agentId)) {
          throw new SbError(
            'E_NOT_FOUND',
            `no agent ${target.agentId} has ever registered; check the id (agents: GET /v1/agents)`,
          );
        }
        return [target.agentId];
      }
      case 'topic': {
        assertAllowed(caller.principal, { kind: 'publish', topic: target.topic });
        return (await subscriptions.current()).recipientsOf(target.topic, headers);
      }
      case 'broadcast': {
        assertAllowed(caller.principal, {
          kind: 'broadcast',
          ...(target.capability === undefined ? {} : { capability: target.capability }),
        });
        const all = await agents.select({ capability: target.capability, labels: target.labels });
        return all.map((agent) => agent.id).filter((id) => id !== caller.agentId);
      }
      case 'anycast': {
        const candidates = await agents.select({
          capability: target.capability,
          labels: target.labels,
          status: 'connected',
        });
        const strategy = target.strategy ?? deps.settings().defaultAnycastStrategy;
        const loads =
          strategy === 'least_loaded'
            ? await store.loads(candidates.map((agent) => agent.id))
            : new Map<string, number>();
        const chosen = pickAnycast(
          candidates.map((agent) => ({
            agentId: agent.id,
            load: loads.get(agent.id) ?? 0,
            weight: weightOf(agent.labels),
          })),
          strategy,
          target.capability,
          pick,
        );
        if (chosen === undefined) {
          throw new SbError(
            'E_NOT_FOUND',
            `no connected agent has capability ${target.capability}${target.labels === undefined ? '' : ' and the labels asked for'}`,
          );
        }
        return [chosen];
      }
    }
  }

  return {
    async accept(message: OutgoingMessage, caller: Caller): Promise<SendResult> {
      const settings = deps.settings();
      const payload = Buffer.from(JSON.stringify(message.payload), 'utf8');
      if (payload.length > settings.maxPayloadBytes) {
        throw new SbError(
          'E_PAYLOAD_TOO_LARGE',
          `the payload is ${payload.length} bytes as JSON; the limit is ${settings.maxPayloadBytes}`,
        );
      }
      const ttlMs = message.ttlMs ?? settings.defaultTtlMs;
      if (ttlMs > settings.maxTtlMs) {
        throw new SbError(
          'E_VALIDATION',
          `ttlMs ${ttlMs} is over the longest TTL allowed, ${settings.maxTtlMs} ms`,
        );
      }
      if (message.expectsReply === true && caller.agentId === null) {
        throw new SbError(
          'E_VALIDATION',
          'only an agent can expect a reply: replies go to an agent',
        );
      }
      const headers = message.headers ?? {};
      const recipients = await recipientsOf(message.to, headers, caller);
      return batcher.submit({
        id: message.id,
        senderAgent: caller.agentId,
        sentBy: caller.principal.id,
        target: message.to,
        topic: message.to.kind === 'topic' ? message.to.topic : null,
        headers,
        priority: message.priority ?? DEFAULT_PRIORITY,
        conversationId: message.conversationId ?? null,
        correlationId: message.correlationId ?? null,
        replyTo: message.expectsReply === true ? caller.agentId : null,
        receipt: message.receipt === true && caller.agentId !== null,
        payload,
        expiresAt: new Date(Date.now() + ttlMs),
        recipients,
      });
    },
  };
}
