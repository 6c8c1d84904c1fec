import { SubjectPatternSchema, subjectMatches } from '@switchboard/protocol';
import { z } from 'zod';

/** What a task grant allows on a task type. */
export const TaskActions = ['submit', 'execute', 'cancel', 'read'] as const;

/** One of {@link TaskActions}. */
export type TaskAction = (typeof TaskActions)[number];

/** Lets a principal act on the tasks whose type one of `types` matches (`report.*`). */
export const TaskGrantSchema = z.strictObject({
  kind: z.literal('task'),
  types: z.array(SubjectPatternSchema).min(1),
  actions: z.array(z.enum(TaskActions)).min(1),
});

/** A `task` grant. */
export type TaskGrant = z.infer<typeof TaskGrantSchema>;

/** Submitting, executing, cancelling or reading tasks of type `type`. */
export interface TaskRequest {
  readonly kind: 'task';
  readonly type: string;
  readonly action: TaskAction;
}

/** True when `grant` lets `request` through. */
export function taskAllows(grant: TaskGrant, request: TaskRequest): boolean {
  return (
    grant.actions.includes(request.action) &&
    grant.types.some((pattern) => subjectMatches(pattern, request.type))
  );
}

/** Why no grant let `request` through; completes "principal <id> ...". */
export function taskDenial(request: TaskRequest): string {
  return `has no task grant to ${request.action} tasks of type ${request.type}`;
}
