import type { Bus } from '@switchboard/bus';
import {
  TaskScheduleDeleteRpc,
  TaskScheduleListRpc,
  TaskSchedulePutRpc,
} from '@switchboard/protocol';
import { type AgentClient, SbError } from '@switchboard/sdk';
import { connectTestBus, keyPrincipal, waitFor } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

// Scheduling across two task-worker replicas: cron schedules, per-type concurrency limits and
// dependencies.

let mesh: TaskMesh;
let boss: AgentClient;
let bus: Bus;
const admin = keyPrincipal('k_admin', ['admin']);

beforeAll(async () => {
  mesh = await createTaskMesh();
  await mesh.startWorker();
  await mesh.startWorker();
  await mesh.startGateway('gw-a');
  boss = await mesh.agent('gw-a', info('sched-boss'));
  bus = await connectTestBus(mesh.context.namespace, 10_000);
}, 60_000);
afterAll(async () => {
  await bus.close();
  await mesh.stop();
});

describe('scheduling', () => {
  it('submits one task per cron tick, fired by one replica, until the schedule is deleted', async () => {
    await boss.tasks.registerType({ name: 'sched.tick' });
    const worker = await mesh.agent('gw-a', info('sched-ticker'));
    await worker.tasks.handle('sched.tick', async (input) => input);
    const subject = (operation: string) => bus.subjects.rpc('tasks', operation);
    const created = await bus.request(
      subject(TaskSchedulePutRpc.operation),
      TaskSchedulePutRpc,
      { name: 'every-second', type: 'sched.tick', cron: '* * * * * *', input: { hello: 1 } },
      { principal: admin },
    );
    expect(created).toMatchObject({ name: 'every-second', timezone: 'UTC', lastTaskId: null });
    await waitFor(
      async () =>
        (await boss.tasks.list({ type: 'sched.tick', status: 'succeeded' })).items.length >= 3,
      { timeoutMs: 15_000 },
    );
    expect(
      await bus.request(
        subject(TaskScheduleDeleteRpc.operation),
        TaskScheduleDeleteRpc,
        { name: 'every-second' },
        { principal: admin },
      ),
    ).toEqual({ removed: true });
    const { items } = await boss.tasks.list({ type: 'sched.tick', limit: 100 });
    const keys = items.map((task) => task.idempotencyKey);
    // One task per tick: every key names a distinct second.
    expect(new Set(keys).size).toBe(items.length);
    expect(keys.every((key) => /^schedule:every-second:.+:\d\d\.000Z$/.test(key ?? ''))).toBe(true);
    expect(items.every((task) => (task.input as { hello: number }).hello === 1)).toBe(true);
    const listed = await bus.request(
      subject(TaskScheduleListRpc.operation),
      TaskScheduleListRpc,
      {},
      { principal: admin },
    );
    expect(listed.items).toEqual([]);
  });

  it('refuses a cron expression it cannot read', async () => {
    await expect(
      bus.request(
        bus.subjects.rpc('tasks', TaskSchedulePutRpc.operation),
        TaskSchedulePutRpc,
        { name: 'broken', type: 'sched.tick', cron: 'every blue moon' },
        { principal: admin },
      ),
    ).rejects.toMatchObject({ code: 'E_VALIDATION', details: { path: '/cron' } });
  });

  it('never runs more tasks of a type at once than its concurrency limit', async () => {
    await boss.tasks.registerType({ name: 'sched.limited', concurrency: 2 });
    let running = 0;
    let most = 0;
    for (const id of ['lim-1', 'lim-2', 'lim-3']) {
      const worker = await mesh.agent('gw-a', info(id));
      await worker.tasks.handle(
        'sched.limited',
        async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 30));
          running -= 1;
          return null;
        },
        { concurrency: 8 },
      );
    }
    const ids = await Promise.all(
      Array.from(
        { length: 12 },
        async (_, index) => (await boss.tasks.submit('sched.limited', index)).taskId,
      ),
    );
    for (const id of ids) {
      expect((await boss.tasks.wait(id, { timeoutMs: 20_000 })).status).toBe('succeeded');
    }
    expect(most).toBe(2);
  });

  it('runs a task after the tasks it depends on succeeded, and cancels it when one fails', async () => {
    await boss.tasks.registerType({ name: 'sched.step', retry: { maxAttempts: 1 } });
    const worker = await mesh.agent('gw-a', info('sched-stepper'));
    let releaseFirst: () => void = () => undefined;
    const firstMayEnd = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    await worker.tasks.handle('sched.step', async (input) => {
      if (input === 'first') await firstMayEnd;
      if (input === 'doomed') throw new SbError('E_INTERNAL', 'this step fails');
      return input;
    });
    const first = await boss.tasks.submit('sched.step', 'first');
    const second = await boss.tasks.submit('sched.step', 'second', { dependsOn: [first.taskId] });
    expect(second.status).toBe('scheduled');
    expect((await boss.tasks.get(second.taskId)).status).toBe('scheduled');
    releaseFirst();
    const firstDone = await boss.tasks.wait(first.taskId, { timeoutMs: 10_000 });
    const secondDone = await boss.tasks.wait(second.taskId, { timeoutMs: 10_000 });
    expect(secondDone.status).toBe('succeeded');
    expect(Date.parse(secondDone.startedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(firstDone.finishedAt as string),
    );

    const doomed = await boss.tasks.submit('sched.step', 'doomed');
    const orphan = await boss.tasks.submit('sched.step', 'orphan', {
      dependsOn: [doomed.taskId, first.taskId],
    });
    expect((await boss.tasks.wait(doomed.taskId, { timeoutMs: 10_000 })).status).toBe('failed');
    expect(await boss.tasks.wait(orphan.taskId, { timeoutMs: 10_000 })).toMatchObject({
      status: 'cancelled',
      attempt: 0,
    });
    expect((await boss.tasks.history(orphan.taskId)).at(-1)).toMatchObject({
      from: 'scheduled',
      to: 'cancelled',
      reason: 'a dependency did not succeed',
    });
    await expect(
      boss.tasks.submit('sched.step', 'x', { dependsOn: ['01890000-0000-7000-8000-000000000000'] }),
    ).rejects.toMatchObject({ code: 'E_VALIDATION', details: { path: '/dependsOn' } });
  });

  it('runs the highest priority first among the tasks waiting for an executor', async () => {
    await boss.tasks.registerType({ name: 'sched.ranked' });
    const worker = await mesh.agent('gw-a', info('sched-ranker'));
    const order: string[] = [];
    let releaseBlocker: () => void = () => undefined;
    const blockerMayEnd = new Promise<void>((resolve) => {
      releaseBlocker = resolve;
    });
    await worker.tasks.handle(
      'sched.ranked',
      async (input) => {
        order.push(input as string);
        if (input === 'blocker') await blockerMayEnd;
        return null;
      },
      { concurrency: 1 },
    );
    const blocker = await boss.tasks.submit('sched.ranked', 'blocker');
    await waitFor(() => order.length === 1);
    const waiting = [];
    for (const [name, priority] of [
      ['low', -5],
      ['normal', 0],
      ['urgent', 50],
      ['high', 10],
    ] as const) {
      waiting.push((await boss.tasks.submit('sched.ranked', name, { priority })).taskId);
    }
    releaseBlocker();
    for (const id of [blocker.taskId, ...waiting]) await boss.tasks.wait(id, { timeoutMs: 10_000 });
    expect(order).toEqual(['blocker', 'urgent', 'high', 'normal', 'low']);
  });
});
