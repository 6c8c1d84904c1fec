import type { Bus } from '@switchboard/bus';
import type { RecordCodec } from '@switchboard/db';
import type { Logger } from '@switchboard/logger';
import {
  GatewayDeliverRpc,
  isSbError,
  type JsonValue,
  type Push,
  type TaskAbortReason,
  type TaskChange,
} from '@switchboard/protocol';
import type { TasksSettings } from './config.ts';
import { inputOf } from './db/task-row.ts';
import type { ClaimedTask, TaskStore } from './db/task-store.ts';
import { AssignmentState, pickExecutor } from './domain/assign.ts';
import type { ExecutorDirectory } from './executor-directory.ts';
import type { TaskMetrics } from './task-metrics.ts';
import type { TypeRegistry } from './type-registry.ts';

/**
 * Hands due tasks to executors. Anything may `wake` it (a submit, a completion that frees an
 * agent, a declaration, an agent that connected, the sweep); a round reads who may execute what
 * now, claims due tasks of those types in Postgres (each leased to the agent the type's strategy
 * picks) and sends one push request per gateway. A push that reaches no socket is put back at
 * once; one that reached a socket and is never completed comes back when its lease runs out.
 */
export function createDispatcher(deps: {
  bus: Bus;
  store: TaskStore;
  /** Decodes the input of claimed tasks. */
  codec: RecordCodec;
  types: TypeRegistry;
  executors: ExecutorDirectory;
  publish: (changes: readonly TaskChange[]) => void;
  settings: () => TasksSettings;
  metrics: TaskMetrics;
  log: Logger;
}) {
  const { bus, store, metrics, log } = deps;
  const strategies = new AssignmentState();
  let woken = false;
  let round: Promise<void> | undefined;
  // Pushes are not awaited by their round: the next round claims while they travel.
  const pushing = new Set<Promise<void>>();
  let stopped = false;

  async function putBack(attempts: Array<{ taskId: string; attempt: number }>, reason: string) {
    const changes = await store.release(attempts, reason);
    deps.publish(changes);
    if (changes.length > 0) wake();
  }

  async function push(gatewayId: string, pushes: Push[], claimed: ClaimedTask[]): Promise<void> {
    try {
      const reply = await bus.request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, {
        pushes,
      });
      const missedTasks = reply.missedTasks ?? [];
      for (const miss of missedTasks) metrics.missed(miss.reason, 1);
      if (missedTasks.length > 0) {
        await putBack(
          missedTasks.map((miss) => ({ taskId: miss.taskId, attempt: miss.attempt })),
          'not_connected',
        );
      }
    } catch (error) {
      if (isSbError(error) && error.code === 'E_TIMEOUT') {
        // The gateway may have written them: the lease settles each one.
        log.warn({ gatewayId, tasks: claimed.length }, 'a task push request timed out');
        return;
      }
      log.warn({ err: error, gatewayId }, 'a task push failed; the tasks go back to the queue');
      metrics.missed('gateway_unreachable', claimed.length);
      await putBack(
        claimed.map((task) => ({ taskId: task.taskId, attempt: task.attempt })),
        'gateway_unreachable',
      );
    }
  }

  async function runRound(): Promise<void> {
    woken = false;
    const types = await deps.types.all();
    const { byType, gatewayOf } = await deps.executors.eligible(types);
    if (byType.size === 0) return;
    const { claimBatch, leaseMs } = deps.settings();
    const candidateTypes = [...byType.keys()];
    const limited = candidateTypes.filter(
      (name) => (types.get(name)?.concurrency ?? null) !== null,
    );
    const { claimed, changes } = await store.claim(
      candidateTypes,
      limited,
      { limit: claimBatch, leaseMs },
      (due, running, runningByType) => {
        for (const candidates of byType.values()) {
          for (const candidate of candidates) {
            candidate.running = running.get(candidate.agentId) ?? 0;
          }
        }
        const assigned = new Map<string, string>();
        for (const task of due) {
          const type = types.get(task.type);
          const candidates = byType.get(task.type);
          if (type === undefined || candidates === undefined) continue;
          const typeRunning = runningByType.get(task.type) ?? 0;
          if (type.concurrency !== null && typeRunning >= type.concurrency) continue;
          const picked = pickExecutor(type.strategy, task.type, candidates, strategies);
          if (picked === undefined) continue;
          assigned.set(task.id, picked.agentId);
          runningByType.set(task.type, typeRunning + 1);
        }
        return assigned;
      },
    );
    if (claimed.length === 0) return;
    deps.publish(changes);
    metrics.started(claimed.map((task) => task.waitMs));
    const byGateway = new Map<string, { pushes: Push[]; claimed: ClaimedTask[] }>();
    for (const task of claimed) {
      let input: JsonValue;
      try {
        input = inputOf(task.row, deps.codec);
      } catch (error) {
        // An input that does not decrypt (altered, or its key not loaded) must not hold up the
        // others: the task stays leased, and its lease running out retries it, then fails it.
        log.error({ err: error, taskId: task.taskId }, 'a task was not pushed');
        continue;
      }
      const gatewayId = gatewayOf.get(task.agentId) as string;
      let group = byGateway.get(gatewayId);
      if (group === undefined) {
        group = { pushes: [], claimed: [] };
        byGateway.set(gatewayId, group);
      }
      group.claimed.push(task);
      group.pushes.push({
        kind: 'task',
        agentId: task.agentId,
        taskId: task.taskId,
        type: task.type,
        attempt: task.attempt,
        input,
        leaseMs,
        deadline: task.deadline.toISOString(),
      });
    }
    for (const [gatewayId, group] of byGateway) {
      const sent = push(gatewayId, group.pushes, group.claimed)
        .catch((error: unknown) => log.error({ err: error, gatewayId }, 'a task push failed'))
        .finally(() => pushing.delete(sent));
      pushing.add(sent);
    }
    // A full round may have left more due tasks behind.
    if (claimed.length >= claimBatch) woken = true;
  }

  function schedule(): void {
    if (round !== undefined || stopped || !woken) return;
    round = runRound()
      .catch((error: unknown) => {
        // The sweep wakes the dispatcher again, so nothing is stranded.
        log.error({ err: error }, 'a dispatch round failed');
      })
      .finally(() => {
        round = undefined;
        schedule();
      });
  }

  function wake(): void {
    woken = true;
    schedule();
  }

  return {
    wake,

    /** Tells an executor to stop an attempt (best effort: its completion is refused anyway). */
    async abort(agentId: string, taskId: string, attempt: number, reason: TaskAbortReason) {
      const gatewayId = await deps.executors.gatewayOf(agentId);
      if (gatewayId === undefined) return;
      await bus
        .request(bus.subjects.gatewayDeliver(gatewayId), GatewayDeliverRpc, {
          pushes: [{ kind: 'task_abort', agentId, taskId, attempt, reason }],
        })
        .catch((error: unknown) =>
          log.debug({ err: error, taskId, gatewayId }, 'a task abort was not delivered'),
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
