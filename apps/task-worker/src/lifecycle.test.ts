import { StatsRpc } from '@switchboard/protocol';
import { type AgentClient, SbError } from '@switchboard/sdk';
import { connectTestBus, keyPrincipal, waitFor } from '@switchboard/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskMesh, info, type TaskMesh } from './test-mesh.ts';

// A task's life through the whole mesh: SDK submitters and executors on a real gateway, a real
// task worker, Postgres, Redis and NATS.

let mesh: TaskMesh;
let boss: AgentClient;

beforeAll(async () => {
  mesh = await createTaskMesh();
  await mesh.startWorker();
  await mesh.startGateway('gw-a');
  await mesh.startGateway('gw-b');
  boss = await mesh.agent('gw-a', info('boss'));
}, 60_000);
afterAll(async () => {
  await mesh.stop();
});

describe('a task through the mesh', () => {
  it('runs a submitted task on an agent with the capability and reports its result', async () => {
    await boss.tasks.registerType({
      name: 'life.render',
      capabilities: ['render'],
      inputSchema: {
        type: 'object',
        properties: { page: { type: 'integer' } },
        required: ['page'],
      },
    });
    const worker = await mesh.agent('gw-b', info('life-renderer', ['render']));
    const seen: unknown[] = [];
    // The handler ends only once the submitter has seen its progress.
    let progressSeen: () => void = () => undefined;
    const submitterSawProgress = new Promise<void>((resolve) => {
      progressSeen = resolve;
    });
    await worker.tasks.handle('life.render', async (input, context) => {
      seen.push(input);
      await context.progress({ done: 50 });
      await submitterSawProgress;
      return { rendered: (input as { page: number }).page };
    });
    const changes: unknown[] = [];
    const { taskId, duplicate } = await boss.tasks.submit('life.render', { page: 7 });
    expect(duplicate).toBe(false);
    const task = await boss.tasks.wait(taskId, {
      timeoutMs: 15_000,
      onChange: (changed) => {
        changes.push([changed.status, changed.progress]);
        if (changed.progress !== null) progressSeen();
      },
    });
    expect(changes).toContainEqual(['running', { done: 50 }]);
    expect(task).toMatchObject({
      status: 'succeeded',
      result: { rendered: 7 },
      progress: { done: 50 },
      attempt: 1,
      agentId: 'life-renderer',
      submittedBy: 'agent:boss',
    });
    expect(seen).toEqual([{ page: 7 }]);
    const history = await boss.tasks.history(taskId);
    expect(history.map((step) => [step.from, step.to, step.agentId])).toEqual([
      [null, 'queued', null],
      ['queued', 'running', 'life-renderer'],
      ['running', 'succeeded', 'life-renderer'],
    ]);
  });

  it('refuses an unknown type and an input its schema refuses, naming the failing path', async () => {
    await expect(boss.tasks.submit('life.nobody', {})).rejects.toMatchObject({
      code: 'E_VALIDATION',
    });
    await expect(boss.tasks.submit('life.render', { page: 'x' })).rejects.toMatchObject({
      code: 'E_VALIDATION',
      details: { path: '/page' },
    });
  });

  it('returns the first task for a repeated idempotency key', async () => {
    await boss.tasks.registerType({ name: 'life.once' });
    const first = await boss.tasks.submit('life.once', 1, { idempotencyKey: 'k-1' });
    const again = await boss.tasks.submit('life.once', 2, { idempotencyKey: 'k-1' });
    expect(again).toEqual({ ...first, duplicate: true });
    const together = await Promise.all([
      boss.tasks.submit('life.once', 3, { idempotencyKey: 'k-2' }),
      boss.tasks.submit('life.once', 4, { idempotencyKey: 'k-2' }),
    ]);
    expect(together[0].taskId).toBe(together[1].taskId);
    expect(together.map((result) => result.duplicate).sort()).toEqual([false, true]);
  });

  it('retries a failing handler with growing delays, then fails with its error', async () => {
    await boss.tasks.registerType({
      name: 'life.flaky',
      retry: { maxAttempts: 3, backoffBaseMs: 50, backoffMaxMs: 1000 },
    });
    const worker = await mesh.agent('gw-b', info('life-flaky'));
    const attempts: number[] = [];
    await worker.tasks.handle('life.flaky', async (_input, context) => {
      attempts.push(context.attempt);
      throw new SbError('E_UNAVAILABLE', 'downstream is down');
    });
    const { taskId } = await boss.tasks.submit('life.flaky', null);
    const task = await boss.tasks.wait(taskId, { timeoutMs: 15_000 });
    expect(task).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: { code: 'E_UNAVAILABLE', message: 'downstream is down' },
    });
    expect(attempts).toEqual([1, 2, 3]);
    const history = await boss.tasks.history(taskId);
    const retriedAt = history
      .filter((step) => step.to === 'running')
      .map((step) => Date.parse(step.at));
    // Backoff 50 ms doubling, jittered down to half: at least 25 then 50 ms apart.
    expect((retriedAt[1] as number) - (retriedAt[0] as number)).toBeGreaterThanOrEqual(25);
    expect((retriedAt[2] as number) - (retriedAt[1] as number)).toBeGreaterThanOrEqual(50);
  });

  it('fails at once a task whose handler says it is not retryable', async () => {
    await boss.tasks.registerType({ name: 'life.fatal', retry: { maxAttempts: 5 } });
    const worker = await mesh.agent('gw-a', info('life-fatal'));
    await worker.tasks.handle('life.fatal', async () => {
      throw new SbError('E_VALIDATION', 'bad document', { details: { retryable: false } });
    });
    const { taskId } = await boss.tasks.submit('life.fatal', null);
    expect(await boss.tasks.wait(taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'E_VALIDATION' },
    });
  });

  it('times out an attempt that runs too long, aborting its handler, and ends timed_out', async () => {
    await boss.tasks.registerType({
      name: 'life.slow',
      timeoutMs: 200,
      retry: { maxAttempts: 2, backoffBaseMs: 10 },
    });
    const worker = await mesh.agent('gw-b', info('life-slow'));
    const aborted: string[] = [];
    await worker.tasks.handle('life.slow', async (_input, context) => {
      await new Promise<void>((resolve) => {
        context.signal.addEventListener('abort', () => {
          aborted.push((context.signal.reason as SbError).code);
          resolve();
        });
      });
      return 'too late';
    });
    const { taskId } = await boss.tasks.submit('life.slow', null);
    expect(await boss.tasks.wait(taskId, { timeoutMs: 15_000 })).toMatchObject({
      status: 'timed_out',
      attempt: 2,
      result: null,
      error: { code: 'E_TIMEOUT' },
    });
    await waitFor(() => aborted.length === 2);
    expect(aborted).toEqual(['E_TIMEOUT', 'E_TIMEOUT']);
  });

  it('cancels a queued task at once', async () => {
    await boss.tasks.registerType({ name: 'life.unhandled' });
    const { taskId } = await boss.tasks.submit('life.unhandled', null);
    expect(await boss.tasks.cancel(taskId, 'not needed')).toMatchObject({ status: 'cancelled' });
    await expect(boss.tasks.cancel(taskId)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect((await boss.tasks.history(taskId)).at(-1)).toMatchObject({
      from: 'queued',
      to: 'cancelled',
      reason: 'not needed',
    });
  });

  it('cancels a running task: its handler is aborted and what it returns is dropped', async () => {
    await boss.tasks.registerType({ name: 'life.long' });
    const worker = await mesh.agent('gw-a', info('life-long'));
    let started = false;
    let abortedWith: string | undefined;
    await worker.tasks.handle('life.long', async (_input, context) => {
      started = true;
      await new Promise<void>((resolve) => {
        context.signal.addEventListener('abort', () => {
          abortedWith = (context.signal.reason as SbError).message;
          resolve();
        });
      });
      return 'done anyway';
    });
    const { taskId } = await boss.tasks.submit('life.long', null);
    await waitFor(() => started);
    expect(await boss.tasks.cancel(taskId)).toMatchObject({ status: 'cancelled' });
    await waitFor(() => abortedWith !== undefined);
    expect(abortedWith).toContain('cancelled');
    expect(await boss.tasks.wait(taskId, { timeoutMs: 5000 })).toMatchObject({
      status: 'cancelled',
      result: null,
    });
  });

  it('runs a delayed task only once its time has come', async () => {
    await boss.tasks.registerType({ name: 'life.later' });
    const worker = await mesh.agent('gw-b', info('life-later'));
    await worker.tasks.handle('life.later', async () => 'ran');
    const submittedAt = Date.now();
    const { taskId, status } = await boss.tasks.submit('life.later', null, { delayMs: 400 });
    expect(status).toBe('scheduled');
    const task = await boss.tasks.wait(taskId, { timeoutMs: 15_000 });
    expect(task.status).toBe('succeeded');
    // Due 400 ms after the worker took the submit (after it was sent), and not run before.
    expect(Date.parse(task.runAt)).toBeGreaterThanOrEqual(submittedAt + 400);
    expect(Date.parse(task.startedAt as string)).toBeGreaterThanOrEqual(Date.parse(task.runAt));
    expect((await boss.tasks.history(taskId)).map((step) => step.to)).toEqual([
      'scheduled',
      'queued',
      'running',
      'succeeded',
    ]);
  });

  it('gives up waiting at the timeout, and lists tasks by type and status', async () => {
    const { taskId } = await boss.tasks.submit('life.unhandled', null);
    await expect(boss.tasks.wait(taskId, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'E_TIMEOUT',
    });
    const page = await boss.tasks.list({ type: 'life.unhandled', status: 'queued' });
    expect(page.items.map((task) => task.id)).toEqual([taskId]);
    const firstPage = await boss.tasks.list({ type: 'life.unhandled', limit: 1 });
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await boss.tasks.list({
      type: 'life.unhandled',
      limit: 1,
      cursor: firstPage.nextCursor as string,
    });
    expect(secondPage.items[0]?.status).toBe('cancelled');
  });

  it('withdraws the declarations of an executor whose connection ended', async () => {
    await boss.tasks.registerType({ name: 'life.gone' });
    const worker = await mesh.agent('gw-a', info('life-gone'));
    await worker.tasks.handle('life.gone', async () => null);
    const sql = postgres(mesh.context.env.SB_POSTGRES__URL as string, { max: 1 });
    try {
      const declared = () =>
        sql`SELECT type FROM tasks.executors WHERE agent_id = 'life-gone'`.then(
          (rows) => rows.length,
        );
      expect(await declared()).toBe(1);
      await worker.close();
      await waitFor(async () => (await declared()) === 0);
    } finally {
      await sql.end();
    }
  });

  it('counts the tasks by status in its stats: waiting and running, and ended in the last minute', async () => {
    await boss.tasks.registerType({ name: 'life.census' });
    await boss.tasks.registerType({ name: 'life.census.idle' });
    const worker = await mesh.agent('gw-a', info('life-census'));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    await worker.tasks.handle('life.census', async (input) => {
      if ((input as { hold: boolean }).hold) await released;
      if ((input as { fail: boolean }).fail) {
        throw new SbError('E_VALIDATION', 'told to fail', { details: { retryable: false } });
      }
      return null;
    });
    const held = await boss.tasks.submit('life.census', { hold: true, fail: false });
    const done = await boss.tasks.submit('life.census', { hold: false, fail: false });
    const failed = await boss.tasks.submit('life.census', { hold: false, fail: true });
    const waiting = await boss.tasks.submit('life.census.idle', {});
    await boss.tasks.wait(done.taskId, { timeoutMs: 15_000 });
    await boss.tasks.wait(failed.taskId, { timeoutMs: 15_000 });
    await boss.tasks.cancel(waiting.taskId);

    const bus = await connectTestBus(mesh.context.namespace);
    try {
      const figures = async () =>
        (
          await bus.request(
            bus.subjects.rpc('tasks', StatsRpc.operation),
            StatsRpc,
            {},
            { principal: keyPrincipal('admin', ['admin']) },
          )
        ).figures;
      // Other tests of this file ran tasks too: these figures count at least this test's.
      await waitFor(async () => {
        const now = await figures();
        return (
          (now.running ?? 0) >= 1 &&
          (now.succeededLastMinute ?? 0) >= 1 &&
          (now.failedLastMinute ?? 0) >= 1 &&
          (now.cancelledLastMinute ?? 0) >= 1
        );
      });
      release();
      await boss.tasks.wait(held.taskId, { timeoutMs: 15_000 });
      await waitFor(async () => (await figures()).running === 0);
    } finally {
      release();
      await bus.close();
    }
  });
});
