import { describe, expect, it } from 'vitest';
import { judgeSoak, type SoakSample } from './soak-judge.ts';

const bounds = {
  rssMiBPerMin: 2,
  heapMiBPerMin: 1,
  redisKeysPerMin: 50,
  tableMiBPerMin: 0.5,
  tableRowsPerMin: 100,
};

/** Samples a minute apart: `router` RSS grows 5 MiB a minute, the rest is flat but for tasks. */
function samples(count: number): SoakSample[] {
  return Array.from({ length: count }, (_, minute) => ({
    atS: minute * 60,
    rssMiB: { router: 100 + 5 * minute, state: 90 },
    heapMiB: (minute === 2 ? { router: 40 } : { router: 40, state: 30 }) as Record<string, number>,
    redisKeys: 1000 + minute,
    tableMiB: { 'router.messages': 8, 'tasks.tasks': 1 + minute },
    // Retention keeps router.messages at 1,000 rows; tasks.tasks (no retention) is not judged.
    tableRows: { 'router.messages': 1000, 'tasks.tasks': 100 * minute },
  }));
}

describe('judgeSoak', () => {
  it('fails a series whose slope passes its bound and reports tables without retention', () => {
    const checks = judgeSoak(samples(6), bounds, 60, new Set(['router.messages']));
    expect(checks.map((c) => [c.measure, c.subject, c.slopePerMin, c.bound, c.passed])).toEqual([
      ['rss', 'router', 5, 2, false],
      ['rss', 'state', 0, 2, true],
      ['heap', 'router', 0, 1, true],
      ['heap', 'state', 0, 1, true],
      ['redis-keys', 'namespace', 1, 50, true],
      ['table', 'router.messages', 0, 0.5, true],
      ['table', 'tasks.tasks', 1, undefined, true],
      ['table-rows', 'router.messages', 0, 100, true],
    ]);
  });

  it('fails a bounded series with too few samples after the warm-up', () => {
    const checks = judgeSoak(samples(2), bounds, 60, new Set());
    expect(checks.find((c) => c.measure === 'redis-keys')).toMatchObject({
      slopePerMin: undefined,
      passed: false,
    });
    expect(checks.find((c) => c.subject === 'tasks.tasks')).toMatchObject({ passed: true });
  });
});
