import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import { Waiters } from './waiters.ts';

describe('Waiters', () => {
  it('hands the next value to everyone waiting, in order', async () => {
    const waiters = new Waiters<number>();
    const seen: string[] = [];
    const signal = new AbortController().signal;
    const a = waiters.wait(signal).then((value) => seen.push(`a${value}`));
    const b = waiters.wait(signal).then((value) => seen.push(`b${value}`));
    waiters.resolveAll(7);
    await Promise.all([a, b]);
    expect(seen).toEqual(['a7', 'b7']);
    expect(waiters.size).toBe(0);
  });

  it('rejects with the abort reason, and stops waiting', async () => {
    const waiters = new Waiters<number>();
    const reason = new SbError('E_TIMEOUT', 'late');
    await expect(waiters.wait(AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = waiters.wait(controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(waiters.size).toBe(0);
  });
});
