import { describe, expect, it } from 'vitest';
import { type AnycastCandidate, type PickContext, pickAnycast, weightOf } from './anycast.ts';

function context(randoms: number[] = []): PickContext {
  const turns = new Map<string, number>();
  return {
    nextTurn: (key) => {
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      return turn;
    },
    random: () => randoms.shift() ?? 0,
  };
}

const candidate = (agentId: string, load = 0, weight = 1): AnycastCandidate => ({
  agentId,
  load,
  weight,
});

describe('pickAnycast', () => {
  it('picks nobody among no candidates', () => {
    expect(pickAnycast([], 'round_robin', 'ocr', context())).toBeUndefined();
  });

  it('takes turns in id order, per capability', () => {
    const pick = context();
    const candidates = [candidate('c'), candidate('a'), candidate('b')];
    const picks = [1, 2, 3, 4].map(() => pickAnycast(candidates, 'round_robin', 'ocr', pick));
    expect(picks).toEqual(['a', 'b', 'c', 'a']);
    expect(pickAnycast(candidates, 'round_robin', 'other', pick)).toBe('a');
  });

  it('picks the least loaded, sharing ties in turn', () => {
    const pick = context();
    const candidates = [candidate('a', 3), candidate('b', 1), candidate('c', 1)];
    expect(pickAnycast(candidates, 'least_loaded', 'ocr', pick)).toBe('b');
    expect(pickAnycast(candidates, 'least_loaded', 'ocr', pick)).toBe('c');
  });

  it('picks in proportion to weight', () => {
    const candidates = [candidate('a', 0, 1), candidate('b', 0, 3)];
    // Total 4: [0, 1) is a, [1, 4) is b.
    expect(pickAnycast(candidates, 'weighted', 'ocr', context([0.2]))).toBe('a');
    expect(pickAnycast(candidates, 'weighted', 'ocr', context([0.3]))).toBe('b');
    expect(pickAnycast(candidates, 'weighted', 'ocr', context([0.9999]))).toBe('b');
  });

  it('falls back to the last candidate when rounding leaves the point at the total', () => {
    expect(
      pickAnycast([candidate('a', 0, 0.1), candidate('b', 0, 0.2)], 'weighted', 'x', context([1])),
    ).toBe('b');
  });
});

describe('weightOf', () => {
  it('reads a positive number from the weight label, else 1', () => {
    expect(weightOf({ weight: '2.5' })).toBe(2.5);
    expect(weightOf({})).toBe(1);
    expect(weightOf({ weight: 'heavy' })).toBe(1);
    expect(weightOf({ weight: '-1' })).toBe(1);
    expect(weightOf({ weight: '0' })).toBe(1);
  });
});
