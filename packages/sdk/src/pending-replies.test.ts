import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { PendingReplies } from './pending-replies.ts';

const result = (re: string) => ({ v: 1, type: 'result' as const, id: 'g1', re, result: 42 });

describe('PendingReplies', () => {
  it('settles a request by the id its reply names', async () => {
    const pending = new PendingReplies();
    const waiting = pending.wait('c1', 'the test frame', 60_000);
    expect(pending.settle(result('other'))).toBe(false);
    expect(
      pending.settle({
        v: 1,
        type: 'error',
        id: 'g0',
        re: null,
        error: { code: 'E_VALIDATION', message: 'x' },
      }),
    ).toBe(false);
    expect(pending.settle(result('c1'))).toBe(true);
    await expect(waiting).resolves.toMatchObject({ result: 42 });
    expect(pending.size).toBe(0);
  });

  it("rejects with the gateway's error", async () => {
    const pending = new PendingReplies();
    const waiting = pending.wait('c1', 'the test frame', 60_000);
    pending.settle({
      v: 1,
      type: 'error',
      id: 'g1',
      re: 'c1',
      error: { code: 'E_FORBIDDEN', message: 'no' },
    });
    await expect(waiting).rejects.toMatchObject({ code: 'E_FORBIDDEN', message: 'no' });
  });

  it('times out, naming what was not answered', async () => {
    const pending = new PendingReplies();
    await expect(pending.wait('c1', 'the test frame', 5)).rejects.toMatchObject({
      code: 'E_TIMEOUT',
      message: 'the gateway did not answer the test frame within 5 ms',
    });
    expect(pending.size).toBe(0);
  });

  it('rejects what waits, and what comes later, once closed; cancel rejects one', async () => {
    const pending = new PendingReplies();
    const cancelled = pending.wait('c0', 'x', 60_000);
    pending.cancel('c0', new SbError('E_UNAVAILABLE', 'not sent'));
    await expect(cancelled).rejects.toMatchObject({ message: 'not sent' });
    const waiting = pending.wait('c1', 'x', 60_000);
    const gone = new SbError('E_UNAVAILABLE', 'closed');
    pending.close(gone);
    await expect(waiting).rejects.toBe(gone);
    await expect(pending.wait('c2', 'x', 60_000)).rejects.toBe(gone);
    pending.cancel('c2', gone);
  });

  it('stops waiting when its signal aborts, before or during the wait', async () => {
    const pending = new PendingReplies();
    const reason = new SbError('E_TIMEOUT', 'the caller gave up');
    await expect(pending.wait('c0', 'x', 60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = pending.wait('c1', 'x', 60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(pending.size).toBe(0);
    const answered = pending.wait('c2', 'x', 60_000, controller.signal);
    expect(pending.size).toBe(0);
    await expect(answered).rejects.toBe(reason);
    const live = new AbortController();
    const settled = pending.wait('c3', 'x', 60_000, live.signal);
    pending.settle(result('c3'));
    live.abort(reason);
    await expect(settled).resolves.toMatchObject({ result: 42 });
  });
});
