import { type ResultFrame, SbError, type TaskFrame } from '@switchboard/protocol';
import { waitFor } from '@switchboard/testing';
import { describe, expect, it } from 'vitest';
import type { OutgoingFrame } from './frames.ts';
import { TaskExecutor } from './tasks-executor.ts';

// The heartbeat's answer names task ids (UUIDs).
const LOST = '01890000-0000-7000-8000-000000000001';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** An executor whose requests are recorded and answered by `answer` (default: `{}`). */
function executorWith(answer: (frame: OutgoingFrame) => unknown = () => ({})) {
  const sent: OutgoingFrame[] = [];
  const executor = new TaskExecutor({
    request: async (frame) => {
      sent.push(frame);
      const result = answer(frame);
      if (result instanceof SbError) throw result;
      return { type: 'result', v: 1, id: 'r', re: 'x', result } as ResultFrame;
    },
    lifetime: new AbortController().signal,
    backoffMs: () => 1,
    log: silent,
  });
  return { executor, sent, of: (type: string) => sent.filter((frame) => frame.type === type) };
}

const task = (taskId: string, attempt = 1, leaseMs = 60_000): TaskFrame => ({
  type: 'task',
  v: 1,
  id: `f-${taskId}-${attempt}`,
  taskId,
  taskType: 'work',
  attempt,
  input: { taskId },
  leaseMs,
  deadline: new Date(Date.now() + 60_000).toISOString(),
});

describe('TaskExecutor', () => {
  it('declares its types, runs each pushed task once and completes it with the result', async () => {
    const { executor, of } = executorWith();
    const runs: string[] = [];
    await executor.handle('work', async (input) => {
      runs.push((input as { taskId: string }).taskId);
      return 'ok';
    });
    expect(of('task.executor')).toEqual([
      { type: 'task.executor', types: ['work'], concurrency: 16 },
    ]);
    executor.receive(task('a'));
    executor.receive(task('a'));
    await waitFor(() => of('task.complete').length === 1);
    expect(runs).toEqual(['a']);
    expect(of('task.complete')[0]).toEqual({
      type: 'task.complete',
      taskId: 'a',
      attempt: 1,
      result: 'ok',
    });
  });

  it('keeps at most `concurrency` handlers running, the rest waiting in order', async () => {
    const { executor, of } = executorWith();
    const releases: Array<() => void> = [];
    let running = 0;
    let most = 0;
    await executor.handle(
      'work',
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return null;
      },
      2,
    );
    for (const id of ['a', 'b', 'c', 'd']) executor.receive(task(id));
    await waitFor(() => releases.length === 2);
    while (of('task.complete').length < 4) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(most).toBe(2);
    expect(of('task.complete').map((frame) => (frame as { taskId: string }).taskId)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('reports a thrown error, not retryable when its details say so', async () => {
    const { executor, of } = executorWith();
    await executor.handle('work', async (input) => {
      if ((input as { taskId: string }).taskId === 'fatal') {
        throw new SbError('E_VALIDATION', 'bad', { details: { retryable: false } });
      }
      throw new Error('boom');
    });
    executor.receive(task('fatal'));
    executor.receive(task('bug'));
    await waitFor(() => of('task.complete').length === 2);
    expect(of('task.complete')).toEqual([
      expect.objectContaining({
        taskId: 'fatal',
        error: expect.objectContaining({ code: 'E_VALIDATION' }),
        retryable: false,
      }),
      expect.objectContaining({
        taskId: 'bug',
        error: expect.objectContaining({ code: 'E_INTERNAL', message: 'boom' }),
        retryable: true,
      }),
    ]);
  });

  it('aborts a handler on task.abort and on a lease the heartbeat reports lost, completing neither', async () => {
    const { executor, of } = executorWith((frame) =>
      frame.type === 'task.heartbeat' ? { lost: [LOST] } : {},
    );
    const reasons = new Map<string, string>();
    await executor.handle('work', async (input, context) => {
      await new Promise<void>((resolve) =>
        context.signal.addEventListener('abort', () => {
          reasons.set(
            (input as { taskId: string }).taskId,
            (context.signal.reason as SbError).code,
          );
          resolve();
        }),
      );
      return 'late';
    });
    executor.receive(task('cancelled-one'));
    executor.abort({
      type: 'task.abort',
      v: 1,
      id: 'x',
      taskId: 'cancelled-one',
      attempt: 1,
      reason: 'cancelled',
    });
    executor.receive(task(LOST, 1, 30));
    await waitFor(() => reasons.size === 2);
    expect(Object.fromEntries(reasons)).toEqual({
      'cancelled-one': 'E_CONFLICT',
      [LOST]: 'E_CONFLICT',
    });
    expect(of('task.heartbeat')[0]).toEqual({
      type: 'task.heartbeat',
      leases: [{ taskId: LOST, attempt: 1 }],
    });
    expect(of('task.complete')).toEqual([]);
  });

  it('sends a completion again while the gateway is unreachable, and drops a refused one', async () => {
    let failures = 2;
    const { executor, of } = executorWith((frame) => {
      if (frame.type !== 'task.complete') return {};
      if ((frame as { taskId: string }).taskId === 'refused') {
        return new SbError('E_CONFLICT', 'not yours');
      }
      return failures-- > 0
        ? new SbError('E_UNAVAILABLE', 'reconnecting')
        : { status: 'succeeded' };
    });
    await executor.handle('work', async () => 'ok');
    executor.receive(task('retried'));
    executor.receive(task('refused'));
    await waitFor(() => of('task.complete').length === 4);
    expect(
      of('task.complete')
        .map((frame) => (frame as { taskId: string }).taskId)
        .sort(),
    ).toEqual(['refused', 'retried', 'retried', 'retried']);
  });
});
