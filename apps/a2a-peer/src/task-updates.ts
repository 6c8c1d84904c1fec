import type { Bus, BusSubscription } from '@switchboard/bus';
import { A2aTaskUpdateRpc, SbError } from '@switchboard/protocol';
import { serveAs } from '@switchboard/service';
import { stateName, type TaskStore } from './db/task-store.ts';
import { applyAgentUpdate } from './domain/task-machine.ts';
import type { TaskFeed } from './task-feed.ts';

/**
 * Serves `<ns>.v1.a2a.task.update`: the agent working an A2A task reports a status and/or an
 * artifact. Only that agent may (the first agent to answer a task the orchestrator routed by
 * skill takes it); an update id already applied is answered again without applying it, and an
 * update whose `ifState` the task has left is answered `skipped` without applying it.
 */
export function serveTaskUpdates(deps: {
  bus: Bus;
  store: TaskStore;
  feed: TaskFeed;
  onUpdate?: () => void;
}): BusSubscription[] {
  const serve = serveAs(deps.bus, 'a2a');
  return [
    serve(A2aTaskUpdateRpc, async (update, caller) => {
      const agentId = caller.agentId;
      if (agentId === null) {
        throw new SbError('E_FORBIDDEN', 'only the agent working an A2A task reports on it');
      }
      const changed = await deps.store.change(
        update.taskId,
        (row) => {
          if (row.agentId !== null && row.agentId !== agentId) {
            throw new SbError(
              'E_FORBIDDEN',
              `A2A task ${update.taskId} is worked by agent ${row.agentId}, not ${agentId}`,
            );
          }
          return { applied: applyAgentUpdate(row.task, update, new Date()), agentId };
        },
        { updateId: update.updateId },
      );
      const state = stateName(changed.row.task);
      if (changed.duplicate) return { state, duplicate: true };
      // Nothing stored: the update's `ifState` no longer held (moot, not an error).
      if (changed.lastSeq === 0) return { state, duplicate: false, skipped: true as const };
      deps.onUpdate?.();
      await deps.feed.announce({ taskId: update.taskId, seq: changed.lastSeq, state });
      return { state, duplicate: false };
    }),
  ];
}
