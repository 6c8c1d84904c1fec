import { decodePrincipal, type Principal } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import {
  DEFAULT_PRIORITY,
  type DeadLetter,
  type DeliveredMessage,
  DlqGetRpc,
  DlqListRpc,
  DlqPurgeRpc,
  DlqReplayRpc,
  type MessageRecord,
  RouterHistoryRpc,
  RouterMessageGetRpc,
  RouterSendRpc,
  RouterSubscribeRpc,
  RouterSubscriptionsRpc,
  RouterUnsubscribeRpc,
  type RpcDefinition,
  SbError,
  type Subscription,
  subjectMatches,
} from '@switchboard/protocol';
import { connectTestBus } from '@switchboard/testing';
import type { z } from 'zod';

/** One request the stand-in router received. */
export interface RouterCall {
  operation: string;
  request: unknown;
  principal: Principal | undefined;
}

/**
 * A stand-in for the message router on the test's real NATS bus (until the router runs in
 * tests): it records each request with its principal and answers from memory, newest first,
 * with numeric cursors, as the router's RPCs describe.
 */
export interface StandInRouter {
  calls: RouterCall[];
  /** Stored messages, oldest first. */
  messages: MessageRecord[];
  deadLetters: DeadLetter[];
  subscriptions: Subscription[];
  /** The next request for `operation` is answered with `error`. */
  failNext(operation: string, error: SbError): void;
  /** Makes a dead letter of a stored message for `agentId`. */
  addDeadLetter(messageId: string, agentId: string): DeadLetter;
  /** The calls of one operation, in order. */
  callsOf(operation: string): RouterCall[];
  stop(): Promise<void>;
}

type Page<T> = { items: T[]; nextCursor: string | null };

/** `limit` items below `cursor` (a position), newest first. */
function pageOf<T>(
  newestFirst: Array<{ position: bigint; item: T }>,
  limit: number,
  cursor: string | undefined,
): Page<T> {
  const below = newestFirst.filter(
    (entry) => cursor === undefined || entry.position < BigInt(cursor),
  );
  const page = below.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((entry) => entry.item),
    nextCursor: below.length > limit && last !== undefined ? String(last.position) : null,
  };
}

const deliveredOf = ({ topic: _topic, recipients: _recipients, ...message }: MessageRecord) =>
  message satisfies DeliveredMessage;

/** Serves the router's operator-facing RPCs in `namespace` until `stop()`. */
export async function startStandInRouter(namespace: string): Promise<StandInRouter> {
  const bus: Bus = await connectTestBus(namespace);
  const calls: RouterCall[] = [];
  const messages: MessageRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  let subscriptions: Subscription[] = [];
  const failures = new Map<string, SbError>();
  let nextDeliveryId = 100;

  const serve = <Req extends z.ZodType, Res extends z.ZodType>(
    rpc: RpcDefinition<Req, Res>,
    handler: (request: z.infer<Req>, principal: Principal | undefined) => z.input<Res>,
  ) =>
    bus.serve(
      bus.subjects.rpc('router', rpc.operation),
      rpc,
      async (request, context) => {
        const principal =
          context.principal === undefined ? undefined : decodePrincipal(context.principal);
        calls.push({ operation: rpc.operation, request, principal });
        const failure = failures.get(rpc.operation);
        failures.delete(rpc.operation);
        if (failure !== undefined) throw failure;
        return handler(request, principal);
      },
      { queue: bus.subjects.queueGroup('router') },
    );

  const positioned = <T>(items: T[]) =>
    items.map((item, index) => ({ position: BigInt(index + 1), item })).reverse();

  serve(RouterSendRpc, ({ message }, principal) => {
    const known = messages.find((stored) => stored.id === message.id);
    if (known !== undefined) {
      return { messageId: known.id, recipients: known.recipients, duplicate: true };
    }
    const sentBy = principal?.id ?? 'unknown:caller';
    const from = sentBy.startsWith('agent:') ? sentBy.slice('agent:'.length) : null;
    const to = message.to;
    const recipients =
      to.kind === 'topic'
        ? subscriptions.filter((held) => subjectMatches(held.pattern, to.topic)).length
        : to.kind === 'agent'
          ? 1
          : 0;
    const now = Date.now();
    messages.push({
      id: message.id,
      from,
      sentBy,
      to,
      payload: message.payload,
      headers: message.headers ?? {},
      priority: message.priority ?? DEFAULT_PRIORITY,
      conversationId: message.conversationId ?? null,
      correlationId: message.correlationId ?? null,
      replyTo: message.expectsReply === true ? from : null,
      acceptedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + (message.ttlMs ?? 86_400_000)).toISOString(),
      topic: to.kind === 'topic' ? to.topic : null,
      recipients,
    });
    return { messageId: message.id, recipients, duplicate: false };
  });

  serve(RouterHistoryRpc, (query) => {
    const matching = positioned(messages).filter(({ item }) => {
      const accepted = Date.parse(item.acceptedAt);
      const involves =
        item.from === query.agentId ||
        (item.to.kind === 'agent' && item.to.agentId === query.agentId);
      return (
        (query.agentId === undefined || involves) &&
        (query.topic === undefined ||
          (item.topic !== null && subjectMatches(query.topic, item.topic))) &&
        (query.conversationId === undefined || item.conversationId === query.conversationId) &&
        (query.since === undefined || accepted >= Date.parse(query.since)) &&
        (query.until === undefined || accepted < Date.parse(query.until))
      );
    });
    return pageOf(matching, query.limit, query.cursor);
  });

  serve(RouterMessageGetRpc, ({ id }) => {
    const message = messages.find((stored) => stored.id === id);
    if (message === undefined) throw new SbError('E_NOT_FOUND', `no message ${id}`);
    const deliveries =
      message.to.kind === 'agent'
        ? [
            {
              id: String(messages.indexOf(message) + 1),
              messageId: id,
              agentId: message.to.agentId,
              status: 'queued' as const,
              attempts: 0,
              nextAttemptAt: null,
              lastError: null,
              ackedAt: null,
            },
          ]
        : [];
    return { ...message, deliveries };
  });

  serve(RouterSubscriptionsRpc, ({ agentId }) => ({
    items: subscriptions.filter((held) => held.agentId === agentId),
  }));

  serve(RouterSubscribeRpc, ({ agentId, pattern, filter }) => {
    const subscription: Subscription = {
      agentId: agentId ?? 'unknown',
      pattern,
      filter: filter ?? null,
      createdAt: new Date().toISOString(),
    };
    subscriptions = subscriptions
      .filter((held) => held.agentId !== subscription.agentId || held.pattern !== pattern)
      .concat(subscription);
    return subscription;
  });

  serve(RouterUnsubscribeRpc, ({ agentId, pattern }) => {
    const before = subscriptions.length;
    subscriptions = subscriptions.filter(
      (held) => held.agentId !== agentId || held.pattern !== pattern,
    );
    return { removed: subscriptions.length < before };
  });

  const letters = () =>
    deadLetters
      .map((item) => ({ position: BigInt(item.id), item }))
      .sort((a, b) => (a.position < b.position ? 1 : -1));

  serve(DlqListRpc, ({ agentId, limit, cursor }) =>
    pageOf(
      letters().filter(({ item }) => agentId === undefined || item.agentId === agentId),
      limit,
      cursor,
    ),
  );

  serve(DlqGetRpc, ({ id }) => {
    const letter = deadLetters.find((stored) => stored.id === id);
    if (letter === undefined) throw new SbError('E_NOT_FOUND', `no dead letter ${id}`);
    return letter;
  });

  // Replay and purge both take the selected letters out of the queue.
  const takeSelected = ({ ids, agentId }: { ids?: string[]; agentId?: string }) => {
    const selected = deadLetters.filter(
      (letter) =>
        (ids === undefined || ids.includes(letter.id)) &&
        (agentId === undefined || letter.agentId === agentId),
    );
    for (const letter of selected) deadLetters.splice(deadLetters.indexOf(letter), 1);
    return selected.length;
  };
  serve(DlqReplayRpc, (selection) => ({ replayed: takeSelected(selection) }));
  serve(DlqPurgeRpc, (selection) => ({ purged: takeSelected(selection) }));

  await bus.ping();
  return {
    calls,
    messages,
    deadLetters,
    get subscriptions() {
      return subscriptions;
    },
    failNext: (operation, error) => void failures.set(operation, error),
    addDeadLetter: (messageId, agentId) => {
      const message = messages.find((stored) => stored.id === messageId);
      if (message === undefined) throw new Error(`no message ${messageId} to dead-letter`);
      nextDeliveryId += 1;
      const letter: DeadLetter = {
        id: String(nextDeliveryId),
        agentId,
        attempts: 5,
        reason: 'max_attempts',
        lastError: { code: 'E_TIMEOUT', message: 'no ack within 30000 ms' },
        deadAt: new Date().toISOString(),
        message: deliveredOf(message),
      };
      deadLetters.push(letter);
      return letter;
    },
    callsOf: (operation) => calls.filter((call) => call.operation === operation),
    stop: () => bus.close(),
  };
}
