import { describe, expect, it } from 'vitest';
import {
  addTally,
  emptyTally,
  encodeTally,
  operationTally,
  type PhaseTally,
  percentileMs,
  secondTally,
} from './latency.ts';
import { phaseResultOf } from './run-result.ts';

/** A generator's tally: direct messages taking `latenciesMs`, in second `second`. */
function generatorTally(latenciesMs: number[], second: number, errors: Record<string, number>) {
  const tally = emptyTally();
  const direct = operationTally(tally, 'direct');
  const perSecond = secondTally(tally, second);
  for (const ms of latenciesMs) {
    direct.ok += 1;
    direct.latencyUs.recordValue(ms * 1000);
    perSecond.ok += 1;
    perSecond.latencyUs.recordValue(ms * 1000);
  }
  const failed = Object.values(errors).reduce((sum, count) => sum + count, 0);
  direct.errors = { ...errors };
  perSecond.errors += failed;
  return tally;
}

describe('phase tallies', () => {
  it('add up across generator processes: counts, error codes and latency', () => {
    const merged: PhaseTally = emptyTally();
    addTally(merged, encodeTally(generatorTally([10, 20, 30], 0, { E_CONFLICT: 1 })));
    addTally(
      merged,
      encodeTally(generatorTally([40, 1000], 1, { E_CONFLICT: 2, E_RATE_LIMITED: 3 })),
    );
    const direct = merged.operations.direct;
    if (direct === undefined) throw new Error('no direct tally');
    expect(direct.ok).toBe(5);
    expect(direct.errors).toEqual({ E_CONFLICT: 3, E_RATE_LIMITED: 3 });
    expect(percentileMs(direct.latencyUs, 50)).toBeCloseTo(30, 1);
    expect(percentileMs(direct.latencyUs, 100)).toBeCloseTo(1000, 0);
    // The first process had no second 1 and the second none of second 0: both exist, apart.
    expect(merged.seconds.map((second) => [second.ok, second.errors])).toEqual([
      [3, 1],
      [2, 5],
    ]);
  });

  it('give a phase its figures: rates, failures without the expected E_CONFLICT, seconds', () => {
    const tally = emptyTally();
    addTally(tally, encodeTally(generatorTally([10, 20, 30, 40], 1, { E_CONFLICT: 2, E_X: 1 })));
    const phase = phaseResultOf('60/s', 60, 2000, tally, 7.5);
    expect(phase.operations.direct).toMatchObject({
      ok: 4,
      okPerSecond: 2,
      errors: { E_CONFLICT: 2, E_X: 1 },
      failures: 1,
      maxMs: expect.closeTo(40, 0),
    });
    expect(phase.operations.topic).toBeUndefined();
    expect(phase.allP99Ms).toBeCloseTo(40, 0);
    expect(phase.seconds).toEqual([
      { atS: 7.5, okPerSecond: 0, errorsPerSecond: 0, p50Ms: 0, p99Ms: 0 },
      {
        atS: 8.5,
        okPerSecond: 4,
        errorsPerSecond: 3,
        p50Ms: expect.closeTo(20, 0),
        p99Ms: expect.closeTo(40, 0),
      },
    ]);
  });
});
