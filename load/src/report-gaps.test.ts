import { describe, expect, it } from 'vitest';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-markdown.ts';
import type { PhaseResult, RunResult } from './run-result.ts';

// Reports of runs with gaps in their figures: a phase without an operation, seconds or verdict,
// memory samples without a service, a run without knees. Each still renders what it has.

const figures = (okPerSecond: number) => ({
  ok: okPerSecond * 10,
  okPerSecond,
  errors: {},
  failures: 0,
  p50Ms: 5,
  p99Ms: 20,
  p999Ms: 30,
  maxMs: 40,
});

const bare = (rate: number, operations: PhaseResult['operations']): PhaseResult => ({
  name: `${rate}/s`,
  offeredPerSecond: rate,
  durationMs: 10_000,
  allP50Ms: 5,
  allP99Ms: 20,
  operations,
  seconds: [],
});

function run(overrides: Partial<RunResult>): RunResult {
  return {
    runId: '261126000000',
    scenario: 'ramp',
    command: 'pnpm load ramp',
    startedAt: '2026-11-26T00:00:00.000Z',
    finishedAt: '2026-11-26T00:01:00.000Z',
    machine: { cpus: 2, cpuModel: 'cpu', memoryGiB: 8, node: 'v20', loadAverage: [1, 1] },
    settings: { generators: 2, stepDurationMs: 10_000, minSamples: 100 },
    connectedAgents: 10,
    phases: [],
    knees: undefined,
    stress: undefined,
    p99TargetMs: 500,
    memory: [],
    cpuSeconds: {},
    measuredSeconds: 10,
    drain: { waitedMs: 0, deliveriesLeft: 0, tasksLeft: 0 },
    counts: {
      messagesAccepted: 0,
      deliveries: 0,
      deadLetters: 0,
      tasksSubmitted: 0,
      stateWritesAcknowledged: 0,
    },
    violations: [],
    crashed: [],
    unexercised: [],
    passed: true,
    ...overrides,
  };
}

describe('reports of runs with gaps in their figures', () => {
  it('renders a ramp whose steps lack an operation, their seconds and a verdict', () => {
    const result = run({
      phases: [bare(10, { direct: figures(5) }), bare(20, { topic: figures(8) })],
      memory: [
        { atS: 0, mib: { router: 100 } },
        { atS: 5, mib: {} },
      ],
    });
    const markdown = renderMarkdown(result);
    expect(markdown).toContain('| 10 | 5.0 | 5.0 | 20.0 | passed |');
    expect(markdown).toContain('| router | 100 | 0 | 100 |');
    const html = renderHtml(result);
    expect(html).toContain('Ramp: completed rate per operation at each offered rate');
    expect(html.match(/<svg /g)).toHaveLength(5);
  });

  it('renders a run without memory samples and a stress run missing a service’s peak', () => {
    expect(renderMarkdown(run({ scenario: 'mixed' }))).toContain(
      '## Memory of the services (RSS, MiB)',
    );
    expect(renderHtml(run({ scenario: 'mixed' }))).toContain('Memory per service (RSS)');
    const stress = renderMarkdown(
      run({
        scenario: 'stress',
        phases: [bare(50, { direct: figures(5) })],
        stress: {
          kneePerSecond: 100,
          recoverySeconds: 1,
          settleSeconds: 5,
          idleGapSeconds: 0,
          secondsOverLimit: [],
          baselineMiB: { router: 100 },
          peakMiB: {},
        },
        settings: { rateLimits: 'lifted' },
      }),
    );
    expect(stress).toContain('| router | 100 | 0 |');
  });
});
