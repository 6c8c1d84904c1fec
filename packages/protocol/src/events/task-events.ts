import { z } from 'zod';
import { TaskIdSchema, TaskStatuses, TaskTypeNameSchema } from '../tasks.ts';

/** One task's change: ids, status and version, never input, result or progress. */
export const TaskChangeSchema = z.strictObject({
  taskId: TaskIdSchema,
  type: TaskTypeNameSchema,
  status: z.enum(TaskStatuses),
  attempt: z.int().min(0),
  version: z.int().min(1),
  /** `progress`: the status stayed and the agent reported progress (read it with `get`). */
  what: z.enum(['status', 'progress']),
});
export type TaskChange = z.infer<typeof TaskChangeSchema>;

/**
 * `<ns>.v1.evt.task.changed`: tasks changed, many per event (a batch the task worker wrote in
 * one transaction). Gateways fan them out to the connections watching those tasks.
 */
export const TaskChangedEventSchema = z.strictObject({
  changes: z.array(TaskChangeSchema).min(1),
});
export type TaskChangedEvent = z.infer<typeof TaskChangedEventSchema>;
