import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { abortReason, allowManyListeners, deadlineSignal, sleep, withDeadline } from './abort.ts';

describe('abortReason', () => {
  it('keeps an SbError reason, and names timeouts and other aborts', () => {
    const own = new SbError('E_UNAVAILABLE', 'closed');
    expect(abortReason(AbortSignal.abort(own))).toBe(own);
    const timeout = new DOMException('late', 'TimeoutError');
    expect(abortReason(AbortSignal.abort(timeout))).toMatchObject({
      code: 'E_TIMEOUT',
      cause: timeout,
    });
    expect(abortReason(AbortSignal.abort('why'))).toMatchObject({
      code: 'E_UNAVAILABLE',
      message: 'the operation was aborted',
      cause: 'why',
    });
  });
});

describe('sleep', () => {
  it('resolves after the delay unless aborted', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
    const reason = new SbError('E_UNAVAILABLE', 'stop');
    await expect(sleep(1, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});

describe('withDeadline', () => {
  it('aborts with E_TIMEOUT naming what took too long', async () => {
    const deadline = withDeadline(new AbortController().signal, 5, 'the test');
    await expect(sleep(60_000, deadline.signal)).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: 'the test took longer than 5 ms',
    });
    deadline.clear();
  });

  it('follows its parent, already aborted or later, and stops after clear()', () => {
    const reason = new SbError('E_UNAVAILABLE', 'parent');
    expect(withDeadline(AbortSignal.abort(reason), 60_000, 'x').signal.reason).toBe(reason);
    const parent = new AbortController();
    const followed = withDeadline(parent.signal, 60_000, 'x');
    const cleared = withDeadline(parent.signal, 60_000, 'y');
    cleared.clear();
    parent.abort(reason);
    expect(followed.signal.reason).toBe(reason);
    expect(cleared.signal.aborted).toBe(false);
    followed.clear();
  });
});

describe('deadlineSignal', () => {
  it('aborts with its own timeout error, or with whichever parent aborts first', async () => {
    const late = new SbError('E_TIMEOUT', 'no reply within 5 ms');
    const timed = deadlineSignal([undefined], 5, () => late);
    await expect(sleep(60_000, timed.signal)).rejects.toBe(late);
    timed.clear();
    const first = new AbortController();
    const second = new AbortController();
    const linked = deadlineSignal([first.signal, second.signal], 60_000, () => late);
    const reason = new SbError('E_UNAVAILABLE', 'closed');
    second.abort(reason);
    first.abort(new SbError('E_UNAVAILABLE', 'other'));
    expect(linked.signal.reason).toBe(reason);
    linked.clear();
  });
});

describe('allowManyListeners', () => {
  it('lets a signal hold many listeners without the leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      allowManyListeners(controller.signal);
      for (let index = 0; index < 50; index += 1) {
        controller.signal.addEventListener('abort', () => {});
      }
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual(
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
