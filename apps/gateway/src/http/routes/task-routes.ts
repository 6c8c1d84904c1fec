import {
  MAX_TASKS_PAGE,
  TaskCancelRpc,
  TaskGetRpc,
  TaskHistoryRpc,
  TaskIdSchema,
  TaskListRpc,
  TaskScheduleDeleteRpc,
  TaskScheduleInputSchema,
  TaskScheduleListRpc,
  TaskSchedulePutRpc,
  TaskScheduleSchema,
  TaskSchema,
  TaskStatuses,
  TaskSubmitResultSchema,
  TaskSubmitRpc,
  TaskSubmitSchema,
  TaskTransitionSchema,
  TaskTypeGetRpc,
  TaskTypeInputSchema,
  TaskTypeListRpc,
  TaskTypeNameSchema,
  TaskTypeRegisterRpc,
  TaskTypeSchema,
} from '@switchboard/protocol';
import { z } from 'zod';
import { problemResponses } from '../problem-responses.ts';
import { callService, pageOf, type RouteContext, type ZodScope } from '../route-context.ts';

const Task = TaskSchema.meta({ id: 'Task' });
const TaskType = TaskTypeSchema.meta({ id: 'TaskType' });
const TaskSchedule = TaskScheduleSchema.meta({ id: 'TaskSchedule' });

const worker =
  'The task worker checks the forwarded caller again (`tasks:read`; `tasks:write` and a `task` grant covering the type to submit or cancel); no task worker running is `E_UNAVAILABLE`.';

const ListQuerySchema = z.strictObject({
  type: TaskTypeNameSchema.optional().describe('Tasks of this type'),
  status: z.enum(TaskStatuses).optional().describe('Tasks in this status'),
  since: z.iso.datetime().optional().describe('Created at or after this time (ISO 8601)'),
  until: z.iso.datetime().optional().describe('Created before this time (ISO 8601)'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_TASKS_PAGE)
    .default(50)
    .describe(`Items per page (1 to ${MAX_TASKS_PAGE}, default 50)`),
  cursor: z
    .string()
    .max(40)
    .regex(/^\d+$/, 'use the `nextCursor` of the previous page')
    .optional()
    .describe('`nextCursor` of the previous page; omit for the newest tasks'),
});

const taskParams = z.strictObject({ id: TaskIdSchema });

/**
 * `/v1/tasks`, `/v1/task-types`, `/v1/task-schedules`: submit, list, inspect and cancel tasks;
 * register task types; keep cron schedules. Thin adapters over the task worker's RPCs.
 */
export function registerTaskRoutes(scope: ZodScope, context: RouteContext): void {
  scope.post(
    '/tasks',
    {
      config: { operatorScope: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Submit a task',
        description: `Answers once the task is stored (202: it runs later). An unknown type or an input the type's schema refuses is \`E_VALIDATION\` (\`details.path\`). A repeated \`idempotencyKey\` (same caller) answers the first task with \`duplicate: true\`. ${worker}`,
        body: TaskSubmitSchema,
        response: { 202: TaskSubmitResultSchema, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(await callService('tasks', context, request, TaskSubmitRpc, request.body)),
  );

  scope.get(
    '/tasks',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: 'List tasks, newest first',
        description: `Every filter given must hold. ${worker}`,
        querystring: ListQuerySchema,
        response: { 200: pageOf(Task), ...problemResponses },
      },
    },
    async (request) => callService('tasks', context, request, TaskListRpc, request.query),
  );

  scope.get(
    '/tasks/:id',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: 'One task with its input, result, error and progress',
        description: `An unknown id is \`E_NOT_FOUND\`. ${worker}`,
        params: taskParams,
        response: { 200: Task, ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskGetRpc, { taskId: request.params.id }),
  );

  scope.get(
    '/tasks/:id/history',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: "A task's transitions, oldest first",
        description: `Each with its time, attempt, agent and reason. ${worker}`,
        params: taskParams,
        response: {
          200: z.strictObject({ items: z.array(TaskTransitionSchema) }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskHistoryRpc, { taskId: request.params.id }),
  );

  scope.post(
    '/tasks/:id/cancel',
    {
      config: { operatorScope: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Cancel a task',
        description: `A scheduled, queued or running task ends \`cancelled\` at once (a running one's agent is told to stop); a final one is \`E_CONFLICT\`. ${worker}`,
        params: taskParams,
        body: z.strictObject({ reason: z.string().max(512).optional() }).optional(),
        response: { 200: Task, ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskCancelRpc, {
        taskId: request.params.id,
        ...(request.body?.reason === undefined ? {} : { reason: request.body.reason }),
      }),
  );

  scope.get(
    '/task-types',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: 'List task types',
        description: worker,
        response: { 200: z.strictObject({ items: z.array(TaskType) }), ...problemResponses },
      },
    },
    async (request) => callService('tasks', context, request, TaskTypeListRpc, {}),
  );

  scope.get(
    '/task-types/:name',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: 'One task type',
        params: z.strictObject({ name: TaskTypeNameSchema }),
        response: { 200: TaskType, ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskTypeGetRpc, { name: request.params.name }),
  );

  scope.put(
    '/task-types/:name',
    {
      config: { operatorScope: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Register (or replace) a task type',
        description: `Input JSON Schema, capabilities an executor needs, timeout, retry policy, priority, assignment strategy, concurrency limit; what is left out takes the worker's defaults. Replacing bumps \`version\`. ${worker}`,
        params: z.strictObject({ name: TaskTypeNameSchema }),
        body: TaskTypeInputSchema.omit({ name: true }),
        response: { 200: TaskType, ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskTypeRegisterRpc, {
        ...request.body,
        name: request.params.name,
      }),
  );

  scope.get(
    '/task-schedules',
    {
      config: { operatorScope: 'tasks:read' },
      schema: {
        tags: ['tasks'],
        summary: 'List cron schedules',
        response: {
          200: z.strictObject({ items: z.array(TaskSchedule) }),
          ...problemResponses,
        },
      },
    },
    async (request) => callService('tasks', context, request, TaskScheduleListRpc, {}),
  );

  scope.put(
    '/task-schedules/:name',
    {
      config: { operatorScope: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Create (or replace) a cron schedule',
        description: `Submits a task of \`type\` with \`input\` at every tick of \`cron\` (5 fields, or 6 with seconds) in \`timezone\` (default UTC), as the caller. An expression that cannot be read is \`E_VALIDATION\`. ${worker}`,
        params: z.strictObject({ name: TaskScheduleInputSchema.shape.name }),
        body: TaskScheduleInputSchema.omit({ name: true }),
        response: { 200: TaskSchedule, ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskSchedulePutRpc, {
        ...request.body,
        name: request.params.name,
      }),
  );

  scope.delete(
    '/task-schedules/:name',
    {
      config: { operatorScope: 'tasks:write' },
      schema: {
        tags: ['tasks'],
        summary: 'Delete a cron schedule',
        description: `Tasks it submitted stay. ${worker}`,
        params: z.strictObject({ name: TaskScheduleInputSchema.shape.name }),
        response: { 200: z.strictObject({ removed: z.boolean() }), ...problemResponses },
      },
    },
    async (request) =>
      callService('tasks', context, request, TaskScheduleDeleteRpc, { name: request.params.name }),
  );
}
