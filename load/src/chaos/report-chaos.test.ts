import { describe, expect, it } from 'vitest';
import type { PhaseResult } from '../run-result.ts';
import type { ChaosResult } from './faults.ts';
import { chaosSection, errorCodesOf, faultMarkers } from './report-chaos.ts';

const figures = (ok: number, errors: Record<string, number>) => ({
  ok,
  okPerSecond: ok / 10,
  errors,
  failures: 0,
  p50Ms: 5,
  p99Ms: 50,
  p999Ms: 60,
  maxMs: 70,
});

const phase = (name: string, operations: PhaseResult['operations']): PhaseResult => ({
  name,
  offeredPerSecond: 100,
  durationMs: 10_000,
  allP50Ms: 5,
  allP99Ms: 50,
  operations,
  seconds: [
    { atS: 0, okPerSecond: 10, errorsPerSecond: 0, p50Ms: 5, p99Ms: 50 },
    { atS: 1, okPerSecond: 10, errorsPerSecond: 2, p50Ms: 5, p99Ms: 50 },
  ],
});

const phases = [
  phase('before the faults', { direct: figures(100, {}) }),
  phase('1: kill router', {
    direct: figures(80, { E_UNAVAILABLE: 3, E_TIMEOUT: 1 }),
    task: figures(20, { E_TIMEOUT: 4, E_CONFLICT: 1 }),
  }),
];

const chaos = (overrides: Partial<ChaosResult> = {}): ChaosResult => ({
  faults: [
    {
      kind: 'kill',
      target: 'router',
      label: 'kill router',
      atS: 13.25,
      backAfterS: 4.5,
      healthyAfterS: 6.04,
    },
    {
      kind: 'postgres-restart',
      target: 'postgres (stop -m fast)',
      label: 'postgres-restart postgres (stop -m fast)',
      atS: 40,
      backAfterS: undefined,
      healthyAfterS: undefined,
      error: 'pg_ctl start failed',
    },
  ],
  counts: { kill: 1, 'postgres-restart': 1 },
  unplannedExits: [],
  healthyP99LimitMs: 500,
  timing: {
    spacingMs: 20_000,
    pauseMs: 10_000,
    beforeMs: 15_000,
    afterMs: 15_000,
    injectAfterMs: 3000,
    restartDelayMs: 1000,
    settleSeconds: 5,
  },
  ...overrides,
});

describe('errorCodesOf', () => {
  it('sums each code over the operations, most frequent first, ties by name', () => {
    expect(errorCodesOf(phases[1] as PhaseResult)).toEqual([
      ['E_TIMEOUT', 5],
      ['E_UNAVAILABLE', 3],
      ['E_CONFLICT', 1],
    ]);
    expect(errorCodesOf(phases[0] as PhaseResult)).toEqual([]);
  });

  it('orders codes with the same count by name', () => {
    expect(
      errorCodesOf(phase('x', { direct: figures(1, { E_B: 2, E_A: 2 }), tool: figures(1, {}) })),
    ).toEqual([
      ['E_A', 2],
      ['E_B', 2],
    ]);
  });
});

describe('chaosSection', () => {
  it('is empty for a run without chaos', () => {
    expect(chaosSection(undefined, phases, 500)).toEqual([]);
  });

  it('tables each fault with its recovery, and the error codes of each phase', () => {
    const text = chaosSection(chaos(), phases, 500).join('\n');
    expect(text).toContain('## Chaos');
    expect(text).toContain('Faults injected: kill 1, postgres-restart 1.');
    expect(text).toContain('No service ended without being killed.');
    expect(text).toContain('the fault 3 s into its phase of 20 s');
    expect(text).toContain('started again 1 s after it ended');
    expect(text).toContain('first 5 seconds in a row with the p99 of all operations within 500 ms');
    expect(text).toContain('| 1 | kill | router | 13.3 | 4.5 | 6.0 |');
    expect(text).toContain(
      '| 2 | postgres-restart | postgres (stop -m fast) | 40.0 | did not come back: pg_ctl start failed | not in the run |',
    );
    expect(text).toContain('| before the faults | 100 | 1 of 2 | 0 |');
    expect(text).toContain(
      '| 1: kill router | 100 | 1 of 2 | E_TIMEOUT 5, E_UNAVAILABLE 3, E_CONFLICT 1 |',
    );
  });

  it('names the services that ended by themselves, and a fault back without a time', () => {
    const text = chaosSection(
      chaos({
        faults: [
          { kind: 'pause', target: 'tasks', label: 'pause tasks', atS: 5, backAfterS: undefined },
        ],
        unplannedExits: [
          { service: 'state', atS: 41.26, how: '1', why: 'database gone' },
          { service: 'tasks', atS: 42, how: 'SIGTERM' },
        ],
      }),
      [],
      500,
    ).join('\n');
    expect(text).toContain(
      'Services that ended without being killed (the supervisor started them again): state at 41.3 s (1: database gone), tasks at 42.0 s (SIGTERM).',
    );
    expect(text).toContain('| 1 | pause | tasks | 5.0 | — | not in the run |');
  });
});

describe('faultMarkers', () => {
  it('marks each fault with its number in the table and its kind, in red', () => {
    expect(faultMarkers(chaos())).toEqual([
      { x: 13.25, label: '1 kill', color: '#d62728' },
      { x: 40, label: '2 postgres-restart', color: '#d62728' },
    ]);
    expect(faultMarkers(undefined)).toEqual([]);
  });
});
