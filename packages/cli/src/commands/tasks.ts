import type { Task, TaskSubmitResult, TaskTransition, TaskType } from '@switchboard/protocol';
import type { Command } from 'commander';
import { queryString } from '../client.ts';
import { type CliIo, contextOf } from '../context.ts';
import { formatRecord, formatTable } from '../table.ts';
import { parseJson, parsePositiveInt, printMore } from './options.ts';

const errorOf = (task: Task) =>
  task.error === null ? '-' : `${task.error.code}: ${task.error.message}`;

const json = (value: unknown) => (value === null ? '-' : JSON.stringify(value));

/** `switchboard tasks submit | ls | get | cancel | types`. */
export function registerTaskCommands(program: Command, io: CliIo): void {
  const tasks = program
    .command('tasks')
    .description('Tasks: submit, list, inspect and cancel them; list task types');

  tasks
    .command('submit <type> [input]')
    .description('Submit a task of <type> with [input] (JSON, default null)')
    .option('--key <key>', 'idempotency key: the same key returns the first task')
    .option('--priority <n>', 'higher runs first (-100 to 100)', Number)
    .option('--delay <ms>', 'not before this delay, in ms', Number)
    .option('--at <time>', 'not before this time (ISO 8601)')
    .option('--timeout <ms>', 'longest run of one attempt, in ms', parsePositiveInt)
    .option('--after <ids...>', 'run once these tasks succeeded')
    .action(
      async (
        type: string,
        input: string | undefined,
        options: {
          key?: string;
          priority?: number;
          delay?: number;
          at?: string;
          timeout?: number;
          after?: string[];
        },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const body = {
          type,
          input: input === undefined ? null : parseJson(input, 'input'),
          ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
          ...(options.priority === undefined ? {} : { priority: options.priority }),
          ...(options.delay === undefined ? {} : { delayMs: options.delay }),
          ...(options.at === undefined ? {} : { runAt: options.at }),
          ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
          ...(options.after === undefined ? {} : { dependsOn: options.after }),
        };
        const result = await context.client().request<TaskSubmitResult>('POST', '/v1/tasks', body);
        if (context.json) context.printJson(result);
        else {
          context.print(
            `${result.taskId} ${result.status}${result.duplicate ? ' (duplicate: the first task with this key)' : ''}`,
          );
        }
      },
    );

  tasks
    .command('ls')
    .description('List tasks, newest first')
    .option('--type <type>', 'only tasks of this type')
    .option('--status <status>', 'only tasks in this status (queued, running, succeeded, ...)')
    .option('--limit <n>', 'tasks per page (default 50, at most 500)', parsePositiveInt)
    .option('--cursor <cursor>', 'the next page, as the previous one printed')
    .action(
      async (
        options: { type?: string; status?: string; limit?: number; cursor?: string },
        command: Command,
      ) => {
        const context = contextOf(command, io);
        const page = await context
          .client()
          .request<{ items: Task[]; nextCursor: string | null }>(
            'GET',
            `/v1/tasks${queryString({ ...options })}`,
          );
        if (context.json) {
          context.printJson(page);
          return;
        }
        context.print(
          formatTable(page.items, [
            { heading: 'id', value: (task) => task.id },
            { heading: 'type', value: (task) => task.type },
            { heading: 'status', value: (task) => task.status },
            { heading: 'attempt', value: (task) => `${task.attempt}/${task.maxAttempts}` },
            { heading: 'agent', value: (task) => task.agentId ?? '-' },
            { heading: 'created', value: (task) => task.createdAt },
          ]),
        );
        printMore(io, page.nextCursor);
      },
    );

  tasks
    .command('get <id>')
    .description('One task with its input, result, error, progress and history')
    .action(async (id: string, _options, command: Command) => {
      const context = contextOf(command, io);
      const client = context.client();
      const path = `/v1/tasks/${encodeURIComponent(id)}`;
      const [task, history] = await Promise.all([
        client.request<Task>('GET', path),
        client.request<{ items: TaskTransition[] }>('GET', `${path}/history`),
      ]);
      if (context.json) {
        context.printJson({ ...task, history: history.items });
        return;
      }
      context.print(
        formatRecord([
          ['id', task.id],
          ['type', task.type],
          ['status', task.status],
          ['attempt', `${task.attempt}/${task.maxAttempts}`],
          ['agent', task.agentId ?? '-'],
          ['submitted by', task.submittedBy],
          ['created', task.createdAt],
          ['run at', task.runAt],
          ['finished', task.finishedAt ?? '-'],
          ['input', json(task.input)],
          ['result', json(task.result)],
          ['progress', json(task.progress)],
          ['error', errorOf(task)],
        ]),
      );
      context.print(
        formatTable(history.items, [
          { heading: 'at', value: (step) => step.at },
          { heading: 'from', value: (step) => step.from ?? '-' },
          { heading: 'to', value: (step) => step.to },
          { heading: 'attempt', value: (step) => String(step.attempt) },
          { heading: 'agent', value: (step) => step.agentId ?? '-' },
          { heading: 'reason', value: (step) => step.reason ?? '-' },
        ]),
      );
    });

  tasks
    .command('cancel <id>')
    .description('Cancel a task that is not final (a running one is told to stop)')
    .option('--reason <text>', 'why, kept in its history')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      const context = contextOf(command, io);
      const task = await context
        .client()
        .request<Task>(
          'POST',
          `/v1/tasks/${encodeURIComponent(id)}/cancel`,
          options.reason === undefined ? {} : { reason: options.reason },
        );
      if (context.json) context.printJson(task);
      else context.print(`${task.id} ${task.status}`);
    });

  tasks
    .command('types')
    .description('List task types')
    .action(async (_options, command: Command) => {
      const context = contextOf(command, io);
      const { items } = await context
        .client()
        .request<{ items: TaskType[] }>('GET', '/v1/task-types');
      if (context.json) {
        context.printJson({ items });
        return;
      }
      context.print(
        formatTable(items, [
          { heading: 'name', value: (type) => type.name },
          { heading: 'version', value: (type) => String(type.version) },
          { heading: 'capabilities', value: (type) => type.capabilities.join(',') || '-' },
          { heading: 'timeout ms', value: (type) => String(type.timeoutMs) },
          { heading: 'attempts', value: (type) => String(type.retry.maxAttempts) },
          { heading: 'strategy', value: (type) => type.strategy },
          { heading: 'concurrency', value: (type) => String(type.concurrency ?? '-') },
        ]),
      );
    });
}
