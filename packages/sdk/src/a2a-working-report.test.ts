import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  scheduleWorkingReport,
  workingReportDelayMs,
  workingReportUpdate,
} from './a2a-working-report.ts';
import { gate } from './test-messages.ts';

// The timer is pure logic over setTimeout: fake timers show exactly when it fires.

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const inMs = (ms: number) => new Date(NOW + ms).toISOString();

describe('workingReportDelayMs', () => {
  it('waits the delay when the message expires long after', () => {
    expect(workingReportDelayMs(2000, inMs(3_600_000), NOW)).toBe(2000);
    expect(workingReportDelayMs(0, inMs(3_600_000), NOW)).toBe(0);
  });

  it('waits at most half the time left before the message expires', () => {
    expect(workingReportDelayMs(2000, inMs(1000), NOW)).toBe(500);
    expect(workingReportDelayMs(2000, inMs(3001), NOW)).toBe(1500);
  });

  it('reports at once for a message at or past its expiry', () => {
    expect(workingReportDelayMs(2000, inMs(0), NOW)).toBe(0);
    expect(workingReportDelayMs(2000, inMs(-60_000), NOW)).toBe(0);
  });

  it('keeps the delay when the expiry is not a time', () => {
    expect(workingReportDelayMs(2000, 'not a time', NOW)).toBe(2000);
  });
});

describe('workingReportUpdate', () => {
  it('reports working under its own id, only while the task is still submitted', () => {
    // Without `ifState`, a report landing after the handler asked for input (the message
    // re-run elsewhere after a crash) would move the task back to working for good.
    expect(workingReportUpdate('task-1', 'message-1')).toEqual({
      taskId: 'task-1',
      updateId: 'message-1:working',
      status: { state: 'working' },
      ifState: 'submitted',
    });
  });
});

describe('scheduleWorkingReport', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function schedule(options: { isNeeded?: () => boolean; send?: () => Promise<void> } = {}) {
    const sends: number[] = [];
    const errors: unknown[] = [];
    const report = scheduleWorkingReport({
      delayMs: 2000,
      isNeeded: options.isNeeded ?? (() => true),
      send: async () => {
        sends.push(Date.now());
        await options.send?.();
      },
      onError: (error) => void errors.push(error),
    });
    return { report, sends, errors };
  }

  it('sends once, when the delay has passed', async () => {
    vi.setSystemTime(NOW);
    const { report, sends } = schedule();
    await vi.advanceTimersByTimeAsync(1999);
    expect(sends).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sends).toEqual([NOW + 2000]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sends).toHaveLength(1);
    await expect(report.settled()).resolves.toBeUndefined();
  });

  it('sends nothing once cancelled, or when no longer needed when it fires', async () => {
    const cancelled = schedule();
    cancelled.report.cancel();
    cancelled.report.cancel();
    const unneeded = schedule({ isNeeded: () => false });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(cancelled.sends).toEqual([]);
    expect(unneeded.sends).toEqual([]);
  });

  it('settles only once the report in flight has an answer', async () => {
    const answer = gate();
    const { report, sends } = schedule({ send: () => answer.promise });
    await vi.advanceTimersByTimeAsync(2000);
    expect(sends).toHaveLength(1);
    let settled = false;
    const waiting = report.settled().then(() => {
      settled = true;
    });
    // Cancelling a report in flight does not stop it: it was sent.
    report.cancel();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    answer.open();
    await waiting;
    expect(settled).toBe(true);
  });

  it('hands a failure to onError and settles without rejecting', async () => {
    const refusal = new Error('not connected');
    const { report, errors } = schedule({ send: () => Promise.reject(refusal) });
    await vi.advanceTimersByTimeAsync(2000);
    await expect(report.settled()).resolves.toBeUndefined();
    expect(errors).toEqual([refusal]);
  });

  it('settles without rejecting even when onError throws', async () => {
    const report = scheduleWorkingReport({
      delayMs: 0,
      isNeeded: () => true,
      send: () => Promise.reject(new Error('not connected')),
      onError: () => {
        throw new Error('a logger that throws');
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    await expect(report.settled()).resolves.toBeUndefined();
  });
});
