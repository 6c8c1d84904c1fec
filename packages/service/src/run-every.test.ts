import { describe, expect, it, vi } from 'vitest';
import { runEvery } from './run-every.ts';

const log = () => ({ warn: vi.fn() }) as unknown as Parameters<typeof runEvery>[2]['log'];

describe('runEvery', () => {
  it('runs the task again after each run, re-reading the interval', async () => {
    vi.useFakeTimers();
    try {
      const intervals = [10, 20, 30];
      const runs: number[] = [];
      const job = runEvery(
        () => intervals.shift() ?? 30,
        async () => {
          runs.push(Date.now());
        },
        { log: log(), what: 'the job' },
      );
      const start = Date.now();
      await vi.advanceTimersByTimeAsync(10);
      await vi.advanceTimersByTimeAsync(20);
      expect(runs.map((at) => at - start)).toEqual([10, 30]);
      await job.stop();
      await vi.advanceTimersByTimeAsync(100);
      expect(runs).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('logs a failed run and keeps going', async () => {
    vi.useFakeTimers();
    try {
      const logger = log();
      let calls = 0;
      const job = runEvery(
        () => 5,
        async () => {
          calls += 1;
          if (calls === 1) throw new Error('boom');
        },
        { log: logger, what: 'the sweep' },
      );
      await vi.advanceTimersByTimeAsync(10);
      expect(calls).toBe(2);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ err: expect.any(Error) }),
        'the sweep failed',
      );
      await job.stop();
      await job.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits for a run in progress when stopped', async () => {
    vi.useFakeTimers();
    try {
      let finish: () => void = () => {};
      let finished = false;
      const job = runEvery(
        () => 1,
        () =>
          new Promise<void>((resolve) => {
            finish = () => {
              finished = true;
              resolve();
            };
          }),
        { log: log(), what: 'the job' },
      );
      await vi.advanceTimersByTimeAsync(1);
      const stopped = job.stop();
      finish();
      await stopped;
      expect(finished).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
