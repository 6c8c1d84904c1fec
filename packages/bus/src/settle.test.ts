import { describe, expect, it } from 'vitest';
import { settleWithin } from './settle.ts';

describe('settleWithin', () => {
  it('resolves once every promise settled, including rejected ones and late additions', async () => {
    const pending = new Set<Promise<unknown>>();
    let release: () => void = () => {};
    const late = new Promise<void>((resolve) => {
      release = resolve;
    });
    pending.add(Promise.reject(new Error('boom')));
    pending.add(
      Promise.resolve().then(() => {
        pending.add(late);
        release();
      }),
    );
    await settleWithin(pending, 60_000);
    expect(pending.size).toBe(0);
  });

  it('gives up at the deadline on a promise that never settles', async () => {
    const never = new Promise<void>(() => {});
    const pending = new Set<Promise<unknown>>([never]);
    await settleWithin(pending, 20);
    expect(pending.has(never)).toBe(true);
  });
});
