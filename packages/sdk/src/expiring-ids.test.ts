import { describe, expect, it } from 'vitest';
import { ExpiringIds } from './expiring-ids.ts';

function clock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ExpiringIds', () => {
  it('remembers an id for the window, then forgets it', () => {
    const time = clock();
    const ids = new ExpiringIds({ windowMs: 100, maxEntries: 10, now: time.now });
    ids.add('a');
    time.advance(99);
    expect(ids.has('a')).toBe(true);
    time.advance(1);
    expect(ids.has('a')).toBe(false);
    expect(ids.size).toBe(0);
  });

  it('counts the window from the last time an id was added', () => {
    const time = clock();
    const ids = new ExpiringIds({ windowMs: 100, maxEntries: 10, now: time.now });
    ids.add('a');
    ids.add('b');
    time.advance(60);
    ids.add('a');
    time.advance(60);
    expect(ids.has('b')).toBe(false);
    expect(ids.has('a')).toBe(true);
  });

  it('forgets the oldest ids past maxEntries', () => {
    const ids = new ExpiringIds({ windowMs: 60_000, maxEntries: 2 });
    ids.add('a');
    ids.add('b');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).toEqual([false, true, true]);
    expect(ids.size).toBe(2);
  });
});
