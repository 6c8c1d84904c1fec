import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  isFinalTaskStatus,
  SbError,
  type TaskChange,
  TaskChangedEventSchema,
  type TaskUnwatchFrame,
  type TaskWatchFrame,
  type TaskWatchResult,
} from '@switchboard/protocol';
import type { MessagingMetrics } from '../messaging/messaging-metrics.ts';
import type { AgentConnection, ConnectionHandlers } from '../ws/agent-connection.ts';

/**
 * Tasks one connection may watch at once. A watch ends with its task, so this bounds what a
 * submitter waits for in parallel, not how many it waits for in all.
 */
export const MAX_TASK_WATCHES = 10_000;

/** What {@link createTaskWatches} uses. */
export interface TaskWatchDeps {
  bus: Bus;
  /** Forwards `task.watch` to the task worker, which decides who may watch a task. */
  forward: ConnectionHandlers['forward'];
  metrics: Pick<MessagingMetrics, 'pushed'>;
  log: Logger;
}

/**
 * Task watches of this gateway instance: `task.watch` / `task.unwatch` of its connections, and
 * one consumer of `<ns>.v1.evt.task.changed` that pushes a `task.changed` frame to each
 * connection watching a task. A watch ends by itself once its task is final. A missed push
 * (slow agent) is not retried: the frame only says a version exists, which `task.get` reads.
 */
export function createTaskWatches(deps: TaskWatchDeps) {
  const byTask = new Map<string, Set<AgentConnection>>();
  const byConnection = new Map<AgentConnection, Set<string>>();
  // A watch request may still be in flight with the task worker when its connection ends.
  const dropped = new WeakSet<AgentConnection>();
  let consumer: BusSubscription | undefined;

  function add(connection: AgentConnection, taskId: string): void {
    if (dropped.has(connection)) return;
    let watchers = byTask.get(taskId);
    if (watchers === undefined) {
      watchers = new Set();
      byTask.set(taskId, watchers);
    }
    watchers.add(connection);
    let tasks = byConnection.get(connection);
    if (tasks === undefined) {
      tasks = new Set();
      byConnection.set(connection, tasks);
    }
    tasks.add(taskId);
  }

  function remove(connection: AgentConnection, taskId: string): boolean {
    const tasks = byConnection.get(connection);
    if (tasks?.delete(taskId) !== true) return false;
    if (tasks.size === 0) byConnection.delete(connection);
    const watchers = byTask.get(taskId);
    watchers?.delete(connection);
    if (watchers?.size === 0) byTask.delete(taskId);
    return true;
  }

  const fanOut = (change: TaskChange) => {
    const watchers = byTask.get(change.taskId);
    if (watchers === undefined) return;
    const { type, ...rest } = change;
    for (const connection of [...watchers]) {
      const outcome = connection.push({ type: 'task.changed', taskType: type, ...rest });
      deps.metrics.pushed('task.changed', outcome);
      if (isFinalTaskStatus(change.status)) remove(connection, change.taskId);
    }
  };

  return {
    handlers: {
      async watchTask(
        connection: AgentConnection,
        agentId: string,
        frame: TaskWatchFrame,
      ): Promise<TaskWatchResult> {
        // Watching before asking: a change between the worker's read and this reply is caught.
        const watching = byConnection.get(connection);
        const watchedBefore = watching?.has(frame.taskId) === true;
        if (!watchedBefore && (watching?.size ?? 0) >= MAX_TASK_WATCHES) {
          throw new SbError(
            'E_RATE_LIMITED',
            `this connection already watches ${MAX_TASK_WATCHES} tasks; wait for some to end first`,
            { details: { limit: MAX_TASK_WATCHES } },
          );
        }
        add(connection, frame.taskId);
        try {
          const current = (await deps.forward(connection, agentId, frame)) as TaskWatchResult;
          if (isFinalTaskStatus(current.status)) remove(connection, frame.taskId);
          return current;
        } catch (error) {
          if (!watchedBefore) remove(connection, frame.taskId);
          throw error;
        }
      },
      unwatchTask(
        connection: AgentConnection,
        _agentId: string,
        frame: TaskUnwatchFrame,
      ): { removed: boolean } {
        return { removed: remove(connection, frame.taskId) };
      },
    },
    /** Ends the watches of a connection that closed. */
    drop(connection: AgentConnection): void {
      dropped.add(connection);
      for (const taskId of [...(byConnection.get(connection) ?? [])]) remove(connection, taskId);
    },
    /** Task watches held by this instance's connections. */
    count(): number {
      let count = 0;
      for (const tasks of byConnection.values()) count += tasks.size;
      return count;
    },
    async start(): Promise<void> {
      // Ephemeral and from now on: each instance sees every change, for its own connections.
      consumer = await deps.bus.consumeEvents({
        filterSubject: deps.bus.subjects.event('task', 'changed'),
        schema: TaskChangedEventSchema,
        deliverFrom: 'new',
        handler: async ({ payload }) => {
          if (byTask.size === 0) return;
          for (const change of payload.changes) fanOut(change);
        },
      });
    },
    async stop(): Promise<void> {
      await consumer?.stop();
      consumer = undefined;
    },
  };
}

/** This instance's task watches (see {@link createTaskWatches}). */
export type TaskWatches = ReturnType<typeof createTaskWatches>;
