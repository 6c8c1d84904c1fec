import type { Bus, BusSubscription } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import { GatewayDeliverRpc, type Push, type PushMissReason } from '@switchboard/protocol';
import type { PushFrame } from '../ws/agent-connection.ts';
import type { ConnectionRegistry } from '../ws/connection-registry.ts';
import type { MessagingMetrics } from './messaging-metrics.ts';

/** The frame that carries a push to its agent. */
function frameOf(push: Push): PushFrame {
  switch (push.kind) {
    case 'message':
      return {
        type: 'deliver',
        deliveryId: push.deliveryId,
        attempt: push.attempt,
        message: push.message,
      };
    case 'receipt':
      return {
        type: 'receipt',
        messageId: push.messageId,
        recipient: push.recipient,
        at: push.at,
      };
    // Tasks.
    case 'task':
      return {
        type: 'task',
        taskId: push.taskId,
        taskType: push.type,
        attempt: push.attempt,
        input: push.input,
        leaseMs: push.leaseMs,
        deadline: push.deadline,
      };
    case 'task_abort':
      return {
        type: 'task.abort',
        taskId: push.taskId,
        attempt: push.attempt,
        reason: push.reason,
      };
    default: {
      const unreachable: never = push;
      throw new Error(`unhandled push ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Serves this instance's delivery subject (`<ns>.v1.gw.<gatewayId>.deliver`): writes each push
 * to its agent's socket and answers with the message and task pushes it could not write, so the
 * router or the task worker puts them back at once. A receipt or a task abort that cannot be
 * written is dropped (informational; a task's lease settles it).
 */
export function serveDeliveries(deps: {
  bus: Bus;
  gatewayId: string;
  registry: ConnectionRegistry;
  metrics: MessagingMetrics;
  log: Logger;
}): BusSubscription {
  const { bus, registry, metrics, log } = deps;
  const subject = bus.subjects.gatewayDeliver(deps.gatewayId);
  return bus.serve(
    subject,
    GatewayDeliverRpc,
    async ({ pushes }) => {
      const missed: Array<{ deliveryId: string; reason: PushMissReason }> = [];
      const missedTasks: Array<{ taskId: string; attempt: number; reason: PushMissReason }> = [];
      for (const push of pushes) {
        const outcome = registry.get(push.agentId)?.push(frameOf(push)) ?? 'not_connected';
        metrics.pushed(push.kind, outcome);
        if (outcome === 'written') continue;
        log.debug({ agentId: push.agentId, kind: push.kind, reason: outcome }, 'push missed');
        if (push.kind === 'message') missed.push({ deliveryId: push.deliveryId, reason: outcome });
        // A task not written goes back to the queue at once (an abort is best effort).
        if (push.kind === 'task') {
          missedTasks.push({ taskId: push.taskId, attempt: push.attempt, reason: outcome });
        }
      }
      // Only task pushes ever fill it: the router's replies stay as they were.
      return missedTasks.length === 0 ? { missed } : { missed, missedTasks };
    },
    // The subject is this instance's alone: the queue group only names it, nobody shares it.
    { queue: subject },
  );
}
