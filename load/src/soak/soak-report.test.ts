import { describe, expect, it } from 'vitest';
import { judgeSoak, type SoakResult, type SoakSample } from './soak-judge.ts';
import { soakCharts, soakSection } from './soak-report.ts';

const bounds = {
  rssMiBPerMin: 2,
  heapMiBPerMin: 1,
  redisKeysPerMin: 50,
  tableMiBPerMin: 0.5,
  tableRowsPerMin: 100,
};

function soakOf(samples: SoakSample[], failedSamples = 0): SoakResult {
  const checks = judgeSoak(samples, bounds, 60, new Set(['router.messages']));
  return {
    kneePerSecond: 200,
    offeredPerSecond: 100,
    warmupS: 60,
    sampleMs: 5000,
    bounds,
    retention: { SB_ROUTER__RETENTION__MESSAGES_MS: '60000' },
    retainedTables: ['router.messages'],
    samples,
    failedSamples,
    checks,
    passed: checks.every((check) => check.passed),
  };
}

const flat = (minute: number): SoakSample => ({
  atS: minute * 60,
  rssMiB: { router: 100 },
  heapMiB: { router: 40 },
  redisKeys: 500,
  tableMiB: { 'router.messages': 8, 'gateway.agents': 0.1 },
  tableRows: { 'router.messages': 900 + 10 * minute },
});

describe('soakSection', () => {
  it('says nothing for other scenarios', () => {
    expect(soakSection(undefined)).toEqual([]);
    expect(soakCharts(undefined)).toEqual([]);
  });

  it('states the bounds and that every series stayed within them, leaving out still tables', () => {
    const text = soakSection(soakOf([0, 1, 2, 3].map(flat))).join('\n');
    expect(text).toContain('## Soak');
    expect(text).toContain('**Every series stayed within its bound.**');
    expect(text).toContain('| RSS | router | 100.0 → 100.0 | 0.000 MiB/min | 2 MiB/min | ok |');
    expect(text).toContain('| table size | router.messages | 8.0 → 8.0 |');
    expect(text).not.toContain('gateway.agents');
    expect(text).not.toContain('samples failed');
  });

  it('names the series over their bound and the tables that grow without retention', () => {
    const samples = [0, 1, 2, 3].map((minute) => ({
      ...flat(minute),
      rssMiB: (minute === 3 ? {} : { router: 100 + 10 * minute }) as Record<string, number>,
      redisKeys: 500 + 100 * minute,
      tableMiB: { 'router.messages': 8, 'tasks.tasks': 1 + minute },
    }));
    const text = soakSection(soakOf(samples, 2)).join('\n');
    expect(text).toContain(
      '**Over the bound:** RSS of router (10.000 MiB/min), Redis keys of namespace (100.000 keys/min).',
    );
    expect(text).toContain(
      'Tables without a retention job grow with the load and are not judged: tasks.tasks 1.000 MiB/min.',
    );
    expect(text).toContain(
      '| table size | tasks.tasks | 2.0 → 4.0 | 1.000 MiB/min | none (no retention) | ok |',
    );
    expect(text).toContain('2 samples failed to read');
  });

  it('shows a series with no sample after the warm-up as having no slope', () => {
    const text = soakSection(soakOf([flat(0)])).join('\n');
    expect(text).toContain('| Redis keys | namespace | — → — | — keys/min | 50 keys/min | OVER |');
  });
});

describe('soakSection on a check it cannot read', () => {
  it('refuses a measure it does not know instead of showing it', () => {
    const soak = soakOf([0, 1, 2].map(flat));
    soak.checks.push({
      measure: 'cpu' as never,
      subject: 'router',
      slopePerMin: 0,
      bound: 1,
      passed: true,
    });
    expect(() => soakSection(soak)).toThrow('unknown measure cpu');
  });
});

describe('soakCharts', () => {
  it('plots memory, heap, Redis keys and the tables that moved or are retained', () => {
    const samples = [0, 1, 2].map((minute) => ({
      ...flat(minute),
      heapMiB: (minute === 1 ? {} : { router: 40 }) as Record<string, number>,
      tableMiB: {
        'router.messages': 8,
        'gateway.agents': 0.1,
        'tasks.tasks': minute,
        // Read once, before the warm-up ended: no slope, nothing to plot.
        ...(minute === 0 ? { 'a2a.peers': 0.1 } : {}),
      },
    }));
    const svgs = soakCharts(soakOf(samples));
    expect(svgs[4]).not.toContain('a2a.peers');
    expect(svgs).toHaveLength(5);
    expect(svgs[3]).toContain('Soak: live rows of the tables retention trims');
    expect(svgs[0]).toContain('Soak: RSS per service');
    expect(svgs[4]).toContain('tasks.tasks');
    expect(svgs[4]).toContain('router.messages');
    expect(svgs[4]).not.toContain('gateway.agents');
  });
});
