import {
  Artifact,
  Message,
  type StreamResponse,
  Task,
  TaskState,
  type TaskStatus,
} from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { authorize, decodePrincipal, encodePrincipal, resolvePrincipal } from '@switchboard/authz';
import type { Bus } from '@switchboard/bus';
import type { BucketLimit, Cache } from '@switchboard/cache';
import type { Logger } from '@switchboard/logger';
import {
  A2aPartSchema,
  isSbError,
  type JsonValue,
  type RemoteTaskState,
  type RemoteUpdate,
  RouterSendRpc,
  remoteRecipientOf,
} from '@switchboard/protocol';
import { guardedFetch, type PeriodicJob, runEvery } from '@switchboard/service';
import { backoffMs } from '../domain/backoff.ts';
import { derivedUuid } from '../domain/derived-uuid.ts';
import type { CallPlan, OutboundEncryption } from '../encryption/outbound.ts';
import type { CachedPeer, PeerDirectory } from './peer-directory.ts';
import type { PeerStore, RemoteTaskRow } from './peer-store.ts';
import { peerViewOf, pickPeer } from './peer-view.ts';

/** Router message headers of the updates a local agent gets for a remote task. */
export const RemoteHeaders = {
  /** The remote task id (send it back as `a2a-task` to continue the task). */
  task: 'a2a-remote-task',
  peer: 'a2a-peer',
  state: 'a2a-state',
} as const;

/** What the agent sent, as stored: the A2A message and how to address it. */
export interface RemoteRequest {
  message: JsonValue;
  skill: string | null;
  conversationId: string | null;
}

/** How the driver behaves (live settings). */
export interface RemoteSettings {
  pollMs: number;
  leaseMs: number;
  batchSize: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  allowPrivate: boolean;
  messageTtlMs: number;
  rateLimit: BucketLimit;
}

const SETTLED = new Set<RemoteTaskState>([
  'completed',
  'failed',
  'canceled',
  'rejected',
  'input-required',
  'auth-required',
]);
const ENDED = new Set<RemoteTaskState>(['completed', 'failed', 'canceled', 'rejected']);
// Refusals of the encrypted-payloads extension, here or by the peer (its A2A error's message
// leads with our code): retrying cannot change them.
const PERMANENT = /^(?:.*\b)?(E_ENCRYPTION_REQUIRED|E_DECRYPT_FAILED): /;
const isPermanent = (error: unknown): error is Error =>
  error instanceof Error && PERMANENT.test(isSbError(error) ? `${error.code}: ` : error.message);

const STATE_NAMES: Partial<Record<TaskState, RemoteTaskState>> = {
  [TaskState.TASK_STATE_SUBMITTED]: 'submitted',
  [TaskState.TASK_STATE_WORKING]: 'working',
  [TaskState.TASK_STATE_COMPLETED]: 'completed',
  [TaskState.TASK_STATE_FAILED]: 'failed',
  [TaskState.TASK_STATE_CANCELED]: 'canceled',
  [TaskState.TASK_STATE_REJECTED]: 'rejected',
  [TaskState.TASK_STATE_INPUT_REQUIRED]: 'input-required',
  [TaskState.TASK_STATE_AUTH_REQUIRED]: 'auth-required',
};

/** The remote task state a spec state stands for. */
export const remoteStateOf = (state: TaskState | undefined): RemoteTaskState =>
  STATE_NAMES[state ?? TaskState.TASK_STATE_UNSPECIFIED] ?? 'working';

/** The A2A parts a local payload stands for: text, `{ parts }`, or any JSON as a data part. */
export function partsOfPayload(payload: JsonValue): JsonValue[] {
  if (typeof payload === 'string') return [{ text: payload }];
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const parts = (payload as { parts?: unknown }).parts;
    if (Array.isArray(parts) && parts.every((part) => A2aPartSchema.safeParse(part).success)) {
      return parts as JsonValue[];
    }
  }
  return [{ data: payload }];
}

// A task known only by its ids (a stream that began with an update).
const emptyTask = (id: string, contextId: string): Task => ({
  id,
  contextId,
  status: undefined,
  artifacts: [],
  history: [],
  metadata: undefined,
});

/** The task a stream has shown so far, after one more event. */
export function applyStreamEvent(
  current: Task | undefined,
  event: StreamResponse,
): Task | undefined {
  const payload = event.payload;
  switch (payload?.$case) {
    case 'task':
      return payload.value;
    case 'message': {
      // A direct answer without a task: a completed task of one message.
      const message = payload.value;
      return {
        id: current?.id ?? message.taskId,
        contextId: current?.contextId ?? message.contextId,
        status: {
          state: TaskState.TASK_STATE_COMPLETED,
          message,
          timestamp: new Date().toISOString(),
        },
        artifacts: current?.artifacts ?? [],
        history: current?.history ?? [],
        metadata: undefined,
      };
    }
    case 'statusUpdate': {
      const base = current ?? emptyTask(payload.value.taskId, payload.value.contextId);
      return { ...base, status: payload.value.status as TaskStatus };
    }
    case 'artifactUpdate': {
      const base = current ?? emptyTask(payload.value.taskId, payload.value.contextId);
      const artifact = payload.value.artifact;
      if (artifact === undefined) return base;
      const index = base.artifacts.findIndex((item) => item.artifactId === artifact.artifactId);
      const artifacts =
        index === -1
          ? [...base.artifacts, artifact]
          : base.artifacts.map((item, at) =>
              at === index
                ? payload.value.append
                  ? { ...item, parts: [...item.parts, ...artifact.parts] }
                  : artifact
                : item,
            );
      return { ...base, artifacts };
    }
    default:
      return current;
  }
}

/** What the agent receives about its remote task. */
export function remoteUpdateOf(peer: string, task: Task): RemoteUpdate {
  const message = task.status?.message;
  return {
    peer,
    taskId: task.id,
    contextId: task.contextId,
    state: remoteStateOf(task.status?.state),
    message: message === undefined ? null : (Message.toJSON(message) as RemoteUpdate['message']),
    artifacts: task.artifacts.map(
      (artifact) => Artifact.toJSON(artifact) as RemoteUpdate['artifacts'][number],
    ),
  };
}

/**
 * Who a remote task's updates come from: its peer, or for a skill that found none,
 * `skill.<skill>` (the sender of a message must be a valid agent id).
 */
export function peerLabelOf(row: { peer: string | null; recipient: string }): string {
  if (row.peer !== null) return row.peer;
  const recipient = remoteRecipientOf(row.recipient);
  if (recipient?.kind === 'peer') return recipient.peer;
  return `skill.${recipient?.skill ?? 'unknown'}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
}

/**
 * Drives the remote tasks local agents started: any replica claims due ones (a lease, renewed
 * while it works), sends the stored message over A2A (streaming when the peer can), follows the
 * remote task (re-subscribing, or polling a peer without streaming, after a restart), records
 * each state and delivers it to the agent through the router — the message that settles the
 * task carries the agent's message id as its correlation id. Failures retry with backoff until
 * `maxAttempts`, then the task fails locally and the agent is told.
 */
export function createRemoteTasks(deps: {
  bus: Bus;
  cache: Cache;
  store: PeerStore;
  peers: PeerDirectory;
  encryption: OutboundEncryption;
  settings: () => RemoteSettings;
  log: Logger;
}) {
  const clients = new Map<string, { fetchedAt: number; client: Promise<Client> }>();
  let turn = 0;
  let job: PeriodicJob | undefined;
  const running = new Map<string, Promise<void>>();
  // Stopping aborts the calls in progress: their leases lapse and another replica resumes them.
  const stopping = new AbortController();

  // One client per peer and card; the credential is read from Postgres when one is made.
  function clientFor(peer: CachedPeer): Promise<Client> {
    const cached = clients.get(peer.name);
    if (cached !== undefined && cached.fetchedAt === peer.cardFetchedAt) return cached.client;
    const client = makeClient(peer.name);
    client.catch(() => clients.delete(peer.name));
    clients.set(peer.name, { fetchedAt: peer.cardFetchedAt, client });
    return client;
  }

  async function makeClient(name: string): Promise<Client> {
    const peer = await deps.store.get(name);
    if (peer === undefined) throw new Error(`the A2A peer ${name} was removed`);
    const allowed = () => deps.settings().allowPrivate;
    const guarded = guardedFetch(
      () => ({ loopback: allowed(), privateNetworks: allowed() }),
      `the peer ${peer.name}`,
    );
    const fetchImpl: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      if (peer.token !== undefined) headers.set('authorization', `Bearer ${peer.token}`);
      return guarded(input, { ...init, headers });
    };
    const legacyCompat = { enabled: true };
    const factory = new ClientFactory({
      transports: [
        new JsonRpcTransportFactory({ fetchImpl, legacyCompat }),
        new RestTransportFactory({ fetchImpl, legacyCompat }),
      ],
      preferredTransports: ['JSONRPC', 'HTTP+JSON'],
    });
    return factory.createFromAgentCard(peer.card);
  }

  // The peer a task goes to: the one it names, or one with the skill the caller may reach.
  async function peerFor(row: RemoteTaskRow): Promise<CachedPeer | undefined> {
    if (row.peer !== null) return deps.peers.get(row.peer);
    const recipient = remoteRecipientOf(row.recipient);
    if (recipient?.kind === 'peer') return deps.peers.get(recipient.peer);
    if (recipient?.kind !== 'skill') return undefined;
    const { principal } = resolvePrincipal(decodePrincipal(row.principal));
    const peers = (await deps.peers.list()).filter(
      (peer) => authorize(principal, { kind: 'a2a', peer: peer.name }).allowed,
    );
    const chosen = pickPeer(
      peers.map((peer) => ({
        name: peer.name,
        status: peer.status,
        latencyMs: peer.latencyMs,
        skills: peerViewOf(peer.card).skills,
      })),
      recipient.skill,
      turn++,
    );
    return peers.find((peer) => peer.name === chosen?.name);
  }

  async function deliver(row: RemoteTaskRow, peer: string, task: Task): Promise<void> {
    const update = remoteUpdateOf(peer, task);
    const request = row.request as unknown as RemoteRequest;
    const settled = SETTLED.has(update.state);
    const sender = encodePrincipal({
      id: `agent:a2a:${peer}`,
      credential: { type: 'api_key', id: 'a2a-peer' },
      agentIds: [`a2a:${peer}`],
      roles: [],
      grants: [],
    });
    const sequence = row.delivered + 1;
    await deps.bus.request(
      deps.bus.subjects.rpc('router', RouterSendRpc.operation),
      RouterSendRpc,
      {
        message: {
          id: derivedUuid('a2a-remote', row.id, String(sequence)),
          to: { kind: 'agent', agentId: row.agentId },
          payload: update as unknown as JsonValue,
          headers: {
            [RemoteHeaders.task]: update.taskId.slice(0, 1024),
            [RemoteHeaders.peer]: peer,
            [RemoteHeaders.state]: update.state,
          },
          ttlMs: deps.settings().messageTtlMs,
          ...(request.conversationId === null ? {} : { conversationId: request.conversationId }),
          ...(settled ? { correlationId: row.id } : {}),
        },
      },
      { principal: sender },
    );
    // Counted in memory; written with the state it told (recordRemote, endRemote). A crash in
    // between sends this update again under the same id, which the router takes once.
    row.delivered = sequence;
  }

  // Tells the agent when the task's state changed, then records the task as the peer shows it
  // (in this order: a state is recorded only once the agent has been told of it).
  async function observe(row: RemoteTaskRow, peer: string, task: Task): Promise<void> {
    const state = remoteStateOf(task.status?.state);
    if (state !== row.state) await deliver(row, peer, task);
    await deps.store.recordRemote(row.id, {
      peer,
      remoteTaskId: task.id,
      contextId: task.contextId,
      state,
      snapshot: Task.toJSON(task) as JsonValue,
      delivered: row.delivered,
    });
    row.state = state;
    row.remoteTaskId = task.id;
  }

  function outgoingMessage(row: RemoteTaskRow, plan: CallPlan): Message {
    const request = row.request as unknown as RemoteRequest;
    const message = Message.fromJSON({
      ...(request.message as object),
      // Our message id is the A2A message id: a re-send after a crash names the same message.
      messageId: row.id,
      ...(row.remoteTaskId === null ? {} : { taskId: row.remoteTaskId }),
      ...(row.contextId === null ? {} : { contextId: row.contextId }),
      ...(request.skill === null ? {} : { metadata: { skill: request.skill } }),
    });
    return deps.encryption.seal(plan, message);
  }

  async function drive(row: RemoteTaskRow): Promise<void> {
    const settings = deps.settings();
    const peer = await peerFor(row);
    if (peer === undefined) {
      // No peer can take it now (removed, or every one with the skill is down): wait a while.
      const reason = 'no registered A2A peer can take it';
      if (row.attempts + 1 >= settings.maxAttempts) await giveUp(row, peerLabelOf(row), reason);
      else await deps.store.retryRemote(row.id, backoffMs(row.attempts, settings), reason);
      return;
    }
    const take = await deps.cache.takeTokens(`ratelimit:a2a-out:${peer.name}`, settings.rateLimit);
    if (!take.allowed) {
      await deps.store.release(row.id, take.retryAfterMs);
      return;
    }
    const renew = setInterval(
      () => void deps.store.renewLease(row.id, settings.leaseMs).catch(() => undefined),
      Math.max(10, Math.floor(settings.leaseMs / 3)),
    );
    let task: Task | undefined;
    try {
      const plan = deps.encryption.plan(peer.name, peer.card);
      const options = deps.encryption.options(plan, stopping.signal);
      const client = await clientFor(peer);
      const streaming = peerViewOf(peer.card).streaming;
      const follow = async (events: AsyncGenerator<StreamResponse>) => {
        for await (const event of events) {
          task = applyStreamEvent(task, deps.encryption.openEvent(plan, event));
          if (task !== undefined) await observe(row, peer.name, task);
        }
      };
      const fresh = row.state === 'pending';
      if (fresh && streaming) {
        await follow(client.sendMessageStream(sendParams(row, plan), options));
      } else if (fresh) {
        const result = await client.sendMessage(sendParams(row, plan), options);
        task =
          'status' in result
            ? deps.encryption.openTask(plan, result as Task)
            : applyStreamEvent(undefined, {
                payload: {
                  $case: 'message',
                  value: deps.encryption.openMessage(plan, result as Message),
                },
              });
        if (task !== undefined) await observe(row, peer.name, task);
      } else {
        if (streaming) {
          try {
            await follow(
              client.resubscribeTask({ tenant: '', id: row.remoteTaskId as string }, options),
            );
          } catch (error) {
            // The task may have ended meanwhile (a peer refuses to subscribe to an ended task):
            // its state comes from GetTask below.
            deps.log.debug({ err: error, remoteTask: row.id }, 'could not subscribe again');
          }
        }
        if (!SETTLED.has(row.state)) {
          task = deps.encryption.openTask(
            plan,
            await client.getTask(
              { tenant: '', id: row.remoteTaskId as string, historyLength: 0 },
              options,
            ),
          );
          await observe(row, peer.name, task);
        }
      }
      if (!ENDED.has(row.state) && !SETTLED.has(row.state)) {
        // Not settled yet: looked at again after a pause (a poll, or a new subscription).
        await deps.store.release(row.id, settings.pollMs);
      }
    } catch (error) {
      if (stopping.signal.aborted) return;
      if (isPermanent(error)) {
        // Policy or tampering: another attempt would meet the same refusal.
        await giveUp(
          row,
          peer.name,
          isSbError(error) ? `${error.code}: ${error.message}` : error.message,
        );
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      if (row.attempts + 1 >= settings.maxAttempts) {
        await giveUp(row, peer.name, reason);
      } else {
        deps.log.warn({ remoteTask: row.id, peer: peer.name, reason }, 'a remote A2A call failed');
        await deps.store.retryRemote(row.id, backoffMs(row.attempts, settings), reason);
      }
    } finally {
      clearInterval(renew);
    }
  }

  function sendParams(row: RemoteTaskRow, plan: CallPlan) {
    return {
      tenant: '',
      message: outgoingMessage(row, plan),
      configuration: undefined,
      metadata: undefined,
    };
  }

  // Tells the agent why its task failed, then ends it locally; when the agent cannot be told
  // yet (the router is away), it is tried again later.
  async function giveUp(row: RemoteTaskRow, peer: string, reason: string): Promise<void> {
    const task: Task = {
      id: row.remoteTaskId ?? row.id,
      contextId: row.contextId ?? '',
      status: {
        state: TaskState.TASK_STATE_FAILED,
        message: Message.fromJSON({
          messageId: derivedUuid('a2a-remote-failed', row.id),
          role: 'ROLE_AGENT',
          parts: [{ text: `the A2A call failed: ${reason}` }],
        }),
        timestamp: new Date().toISOString(),
      },
      artifacts: [],
      history: [],
      metadata: undefined,
    };
    try {
      await deliver(row, peer, task);
    } catch (error) {
      deps.log.warn(
        { err: error, remoteTask: row.id },
        'the failure of a remote task was not delivered yet',
      );
      await deps.store.release(row.id, backoffMs(row.attempts, deps.settings()));
      return;
    }
    await deps.store.endRemote(row.id, 'failed', reason, row.delivered);
  }

  async function driveDue(): Promise<void> {
    const settings = deps.settings();
    const rows = await deps.store.claimRemoteTasks(settings.batchSize, settings.leaseMs);
    await Promise.all(
      rows
        .filter((row) => !running.has(row.id))
        .map(async (row) => {
          const driving = drive(row)
            .catch((error: unknown) => {
              if (!stopping.signal.aborted) {
                deps.log.warn({ err: error, remoteTask: row.id }, 'driving a remote task failed');
              }
            })
            .finally(() => running.delete(row.id));
          running.set(row.id, driving);
          await driving;
        }),
    );
  }

  return {
    start(): void {
      job = runEvery(() => deps.settings().pollMs, driveDue, {
        log: deps.log,
        what: 'driving remote A2A tasks',
      });
    },
    async stop(): Promise<void> {
      stopping.abort();
      await job?.stop();
      job = undefined;
      await Promise.all(running.values());
    },
    clientFor,
    /** Drives what is due now (a send was just stored). */
    kick(): void {
      if (stopping.signal.aborted) return;
      void driveDue().catch((error: unknown) =>
        deps.log.warn({ err: error }, 'driving remote A2A tasks failed'),
      );
    },
  };
}

/** The remote task driver (see {@link createRemoteTasks}). */
export type RemoteTasks = ReturnType<typeof createRemoteTasks>;
