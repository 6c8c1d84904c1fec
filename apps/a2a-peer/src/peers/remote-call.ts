import { randomUUID } from 'node:crypto';
import { Artifact, Message, type Task, TaskState } from '@a2a-js/sdk';
import { assertAllowed } from '@switchboard/authz';
import type { Bus, BusSubscription } from '@switchboard/bus';
import { type JsonValue, RemoteCallRpc, SbError } from '@switchboard/protocol';
import { serveAs } from '@switchboard/service';
import type { OutboundEncryption } from '../encryption/outbound.ts';
import type { PeerDirectory } from './peer-directory.ts';
import { noSuchPeer } from './peer-store.ts';
import { applyStreamEvent, type RemoteTasks, remoteStateOf } from './remote-tasks.ts';

const SETTLED = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
]);
const FAILED = new Set<TaskState>([
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

const textOf = (message: Message | undefined) =>
  message?.parts
    .map((part) => (part.content?.$case === 'text' ? part.content.value : ''))
    .join('') ?? '';

/** A settled remote task as a tool result: its state, the agent's words, data and artifacts. */
export function toolResultOf(task: Task): JsonValue {
  const message = task.status?.message;
  return {
    state: remoteStateOf(task.status?.state),
    taskId: task.id,
    text: textOf(message),
    data: (message?.parts ?? []).flatMap((part) =>
      part.content?.$case === 'data' ? [part.content.value as JsonValue] : [],
    ),
    artifacts: task.artifacts.map((artifact) => Artifact.toJSON(artifact) as JsonValue),
  };
}

/**
 * Serves `remote.call`: a tool call the registry sends to a peer's skill, as the caller (who
 * needs an `a2a` grant for the peer). Blocking: the remote task is followed until it settles or
 * the call's time runs out.
 */
export function serveRemoteCalls(deps: {
  bus: Bus;
  peers: PeerDirectory;
  remote: RemoteTasks;
  encryption: OutboundEncryption;
  pollMs: () => number;
}): BusSubscription[] {
  const serve = serveAs(deps.bus, 'a2a');
  return [
    serve(RemoteCallRpc, async (request, caller) => {
      assertAllowed(caller.principal, { kind: 'a2a', peer: request.peer });
      const peer = await deps.peers.get(request.peer);
      if (peer === undefined) throw noSuchPeer(request.peer);
      const { text, data } = request.arguments;
      const parts = [
        ...(typeof text === 'string' ? [{ text }] : []),
        ...(data === undefined ? [] : [{ data }]),
      ];
      if (parts.length === 0) {
        throw new SbError('E_VALIDATION', 'give `text`, `data` or both', {
          details: { path: 'arguments' },
        });
      }
      const signal = AbortSignal.timeout(request.timeoutMs);
      const { encryption } = deps;
      const plan = encryption.plan(request.peer, peer.card);
      const options = encryption.options(plan, signal);
      try {
        const client = await deps.remote.clientFor(peer);
        const result = await client.sendMessage(
          {
            tenant: '',
            message: encryption.seal(
              plan,
              Message.fromJSON({
                messageId: randomUUID(),
                role: 'ROLE_USER',
                parts,
                metadata: { skill: request.skill },
              }),
            ),
            configuration: undefined,
            metadata: undefined,
          },
          options,
        );
        let task =
          'status' in result
            ? encryption.openTask(plan, result as Task)
            : (applyStreamEvent(undefined, {
                payload: {
                  $case: 'message',
                  value: encryption.openMessage(plan, result as Message),
                },
              }) as Task);
        while (!SETTLED.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)) {
          await new Promise((resolve) => setTimeout(resolve, deps.pollMs()));
          task = encryption.openTask(
            plan,
            await client.getTask({ tenant: '', id: task.id, historyLength: 0 }, options),
          );
        }
        if (FAILED.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED)) {
          throw new SbError(
            'E_UNAVAILABLE',
            `the A2A agent ${request.peer} answered ${remoteStateOf(task.status?.state)}: ${textOf(task.status?.message) || 'no reason given'}`,
          );
        }
        return { result: toolResultOf(task) };
      } catch (error) {
        if (signal.aborted) {
          throw new SbError(
            'E_TIMEOUT',
            `the A2A agent ${request.peer} did not answer within ${request.timeoutMs} ms`,
            { cause: error },
          );
        }
        throw error;
      }
    }),
  ];
}
