import { describe, expect, it } from 'vitest';
import { AssignmentState, type Candidate, pickExecutor, weightOf } from './assign.ts';

const agents = (...specs: Array<[string, number, number?, number?]>): Candidate[] =>
  specs.map(([agentId, running, capacity = 100, weight = 1]) => ({
    agentId,
    running,
    capacity,
    weight,
  }));

function picks(
  strategy: Parameters<typeof pickExecutor>[0],
  candidates: Candidate[],
  times: number,
): Array<string | undefined> {
  const state = new AssignmentState();
  return Array.from(
    { length: times },
    () => pickExecutor(strategy, 'render', candidates, state)?.agentId,
  );
}

describe('pickExecutor', () => {
  it('round-robin takes the agents in turn, skipping those without room', () => {
    expect(picks('round_robin', agents(['a', 0], ['b', 0], ['c', 0]), 6)).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
    ]);
    expect(picks('round_robin', agents(['a', 0, 1], ['b', 0, 3]), 4)).toEqual(['a', 'b', 'b', 'b']);
  });

  it('least-loaded takes the agent running fewest tasks, counting its own picks', () => {
    expect(picks('least_loaded', agents(['a', 3], ['b', 1], ['c', 2]), 4)).toEqual([
      'b',
      'b',
      'c',
      'a',
    ]);
  });

  it('weighted gives each agent its share, interleaved', () => {
    const chosen = picks('weighted', agents(['a', 0, 100, 3], ['b', 0, 100, 1]), 8);
    expect(chosen.filter((id) => id === 'a')).toHaveLength(6);
    expect(chosen.slice(0, 4)).toEqual(['a', 'a', 'b', 'a']);
  });

  it('finds nobody when every agent is at capacity', () => {
    expect(picks('least_loaded', agents(['a', 2, 2]), 1)).toEqual([undefined]);
  });

  it('refuses an unknown strategy', () => {
    expect(() =>
      pickExecutor('random' as 'weighted', 'render', agents(['a', 0]), new AssignmentState()),
    ).toThrow('unknown strategy random');
  });
});

describe('weightOf', () => {
  it('reads a positive weight label, else 1', () => {
    expect(weightOf({ weight: '2.5' })).toBe(2.5);
    expect(weightOf({ weight: '0' })).toBe(1);
    expect(weightOf({ weight: 'heavy' })).toBe(1);
    expect(weightOf({})).toBe(1);
  });
});
