import { describe, expect, it } from 'vitest';
import { combineReferenceReports } from './report.ts';
import { renderHtml } from './report-html.ts';
import { renderMarkdown } from './report-markdown.ts';
import type { PhaseResult, RunResult } from './run-result.ts';
import { renderLineChart, ticksOf } from './svg-chart.ts';

const figures = (okPerSecond: number, p99Ms: number, errors: Record<string, number> = {}) => ({
  ok: okPerSecond * 10,
  okPerSecond,
  errors,
  failures: Object.values(errors).reduce((sum, count) => sum + count, 0),
  p50Ms: p99Ms / 4,
  p99Ms,
  p999Ms: p99Ms * 2,
  maxMs: p99Ms * 3,
});

const phase = (rate: number, passed: boolean, atS: number): PhaseResult => ({
  name: `${rate}/s`,
  offeredPerSecond: rate,
  durationMs: 10_000,
  allP50Ms: 10,
  allP99Ms: passed ? 60 : 700,
  operations: {
    direct: figures(rate / 2, passed ? 40 : 900),
    'state-write': figures(rate / 4, 30, passed ? { E_CONFLICT: 3 } : { E_TIMEOUT: 2 }),
  },
  seconds: [
    { atS, okPerSecond: rate, errorsPerSecond: 0, p50Ms: 5, p99Ms: 40 },
    { atS: atS + 1, okPerSecond: rate, errorsPerSecond: passed ? 0 : 2, p50Ms: 6, p99Ms: 50 },
  ],
  verdict: passed
    ? { passed: true, allSlow: false, slow: [], failing: [] }
    : { passed: false, allSlow: true, slow: ['direct'], failing: ['state-write'] },
});

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId: '261126000000',
    scenario: 'ramp',
    command: 'pnpm load ramp --agents 10',
    startedAt: '2026-11-26T00:00:00.000Z',
    finishedAt: '2026-11-26T00:01:00.000Z',
    machine: { cpus: 2, cpuModel: 'test cpu', memoryGiB: 8, node: 'v20', loadAverage: [1.5, 2.25] },
    settings: { agents: 10, generators: 2, stepDurationMs: 10_000, minSamples: 100 },
    connectedAgents: 10,
    phases: [
      phase(100, true, 0),
      { ...phase(150, false, 10), retried: true },
      phase(150, true, 20),
      phase(225, false, 30),
    ],
    knees: [
      { operation: 'direct', okPerSecond: 50, p99Ms: 40, offeredPerSecond: 100 },
      { operation: 'a2a', okPerSecond: undefined, p99Ms: undefined, offeredPerSecond: undefined },
    ],
    stress: undefined,
    p99TargetMs: 500,
    memory: [
      { atS: -2, mib: { router: 150, 'gateway-a': 160 } },
      { atS: 20, mib: { router: 180, 'gateway-a': 170 } },
    ],
    cpuSeconds: { router: 3, 'generator-0': 1 },
    measuredSeconds: 20,
    drain: { waitedMs: 50, deliveriesLeft: 0, tasksLeft: 0 },
    counts: {
      messagesAccepted: 100,
      deliveries: 300,
      deadLetters: 0,
      tasksSubmitted: 20,
      stateWritesAcknowledged: 30,
    },
    violations: [],
    crashed: [],
    unexercised: [],
    passed: true,
    ...overrides,
  };
}

describe('the Markdown report', () => {
  it('states the verdict, the ramp steps with why the last gave, and the knee per operation', () => {
    const markdown = renderMarkdown(result());
    expect(markdown).toContain('## Verdict: PASS');
    expect(markdown).toContain(
      'load average 1.5 when the measured load began and 2.3 when it ended',
    );
    expect(markdown).toContain('| 100 | 75.0 | 10.0 | 60.0 | passed |');
    expect(markdown).toContain(
      '| 150 | 112.5 | 10.0 | 700.0 | gave (p99 of all over target; p99 over target (direct); errors (state-write)), passed when run again |',
    );
    expect(markdown).toContain('| 150 | 112.5 | 10.0 | 60.0 | passed |');
    expect(markdown).toContain(
      '| 225 | 168.8 | 10.0 | 700.0 | gave: p99 of all over target; p99 over target (direct); errors (state-write) |',
    );
    expect(markdown).toContain('| direct | 50.0 | 40.0 | 100 |');
    expect(markdown).toContain('| a2a | — | — | failed the first step |');
    expect(markdown).toContain(
      '| state-write | 562.5 | 56.3 | 7.5 | 30.0 | 60.0 | 90.0 | E_TIMEOUT 2 |',
    );
    expect(markdown).toContain('| router | 150 | 180 | 180 |');
    expect(markdown).toContain('| router | 3.0 | 75% |');
  });

  it('names violations, crashed services and operations that never completed', () => {
    const markdown = renderMarkdown(
      result({
        scenario: 'smoke',
        knees: undefined,
        phases: [phase(40, true, 0)],
        violations: [{ invariant: 'a task was left running', count: 1, ids: ['t1'] }],
        crashed: ['router (1)'],
        unexercised: ['broadcast'],
        passed: false,
      }),
    );
    expect(markdown).toContain('## Verdict: FAIL');
    expect(markdown).toContain('crashed: router (1); never completed: broadcast');
    expect(markdown).toContain('| a task was left running | 1 | t1 |');
    expect(markdown).not.toContain('## Ramp');
    expect(markdown).toContain('## Operations\n');
  });

  it('still renders a run that measured nothing', () => {
    const markdown = renderMarkdown(result({ phases: [], memory: [], cpuSeconds: {}, knees: [] }));
    expect(markdown).toContain('## Ramp');
    expect(markdown).not.toContain('## Operations');
  });
});

describe('the Markdown report of a stress run', () => {
  const stressRun = (
    recoverySeconds: number | undefined,
    phases = [phase(50, true, 0), phase(200, false, 20), phase(50, true, 50)],
  ) =>
    renderMarkdown(
      result({
        scenario: 'stress',
        knees: undefined,
        phases,
        stress: {
          kneePerSecond: 100,
          recoverySeconds,
          settleSeconds: 5,
          idleGapSeconds: 2.5,
          secondsOverLimit: [{ phase: 'baseline 50/s', over: 1, of: 20 }],
          baselineMiB: { router: 150 },
          peakMiB: { router: 240 },
        },
      }),
    );

  it('states the recovery time, memory before and at peak, and every phase', () => {
    const markdown = stressRun(4);
    expect(markdown).toContain('Latency recovered 4.0 s after the overload');
    expect(markdown).toContain('the first 2.5 s of it offered no new load');
    expect(markdown).toContain('Seconds over the limit or with errors: baseline 50/s 1 of 20.');
    expect(markdown).toContain('| router | 150 | 240 |');
    expect(markdown).toContain('### 200/s');
    expect(markdown).not.toContain('## Operations');
  });

  it('says so when latency never recovered, with the seconds and errors of the recovery', () => {
    const markdown = stressRun(undefined, [phase(50, true, 0), phase(200, false, 20)]);
    expect(markdown).toContain(
      '**Latency did not recover** before the run ended: no 5 seconds in a row with the p99 within 500 ms and no errors in 200/s; its seconds (p99/errors): 40 ms/0, 50 ms/2; its errors: state-write E_TIMEOUT 2.',
    );
    expect(stressRun(undefined, [{ ...phase(50, true, 0), operations: {} }])).toContain(
      'its errors: none.',
    );
    expect(stressRun(undefined, [])).toContain('nothing was measured.');
  });
});

describe('the HTML report', () => {
  it('is one page with the tables and inline SVG plots, escaping what it shows', () => {
    const html = renderHtml(result({ command: 'pnpm load ramp --mix "a<b"' }));
    expect(html).toContain('<h2>Verdict: PASS</h2>');
    expect(html).toContain('<td>direct</td>');
    expect(html).toContain('a&lt;b');
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain('Ramp: p99 per operation at each offered rate');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('leaves the ramp plots out of a mixed run', () => {
    const html = renderHtml(
      result({ scenario: 'mixed', knees: undefined, phases: [phase(10, true, 0)] }),
    );
    expect(html.match(/<svg /g)).toHaveLength(3);
  });
});

describe('the report of a chaos run', () => {
  const chaosRun = () =>
    result({
      scenario: 'chaos',
      knees: undefined,
      phases: [phase(100, true, 0)],
      chaos: {
        faults: [{ kind: 'kill', target: 'router', label: 'kill router', atS: 1, backAfterS: 3 }],
        counts: { kill: 1 },
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
      },
    });

  it('says the servers were its own, tables the faults and the operations after them', () => {
    const markdown = renderMarkdown(chaosRun());
    expect(markdown).toContain('Postgres, Redis and NATS of the run’s own');
    expect(markdown).toContain('## Chaos');
    expect(markdown).toContain('| 1 | kill | router | 1.0 | 3.0 | not in the run |');
    expect(markdown).toContain('## Operations 100/s');
  });

  it('marks the faults on the plots over time in red instead of the phases', () => {
    const html = renderHtml(chaosRun());
    expect(html).toContain('>1 kill</text>');
    expect(html).toContain('stroke="#d62728" stroke-dasharray');
    expect(html).not.toContain('>100/s</text>');
  });
});

describe('the SVG chart', () => {
  it('picks round ticks that cover the data', () => {
    expect(ticksOf(0, 87)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticksOf(0, 0)).toEqual([0, 0.2]);
    expect(ticksOf(-2, 9)).toEqual([-5, 0, 5, 10]);
    expect(ticksOf(0, 0.9e-5).length).toBeGreaterThan(3);
  });

  it('draws a line per series, a dot for a single point, markers and a legend', () => {
    const svg = renderLineChart({
      title: 'T & t',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'one',
          points: [
            [0, 1],
            [1, 20_000],
          ],
        },
        { name: 'single', points: [[1, 5]] },
        ...Array.from({ length: 5 }, (_, index) => ({ name: `s${index}`, points: [] })),
      ],
      markers: [{ x: 1, label: 'step' }],
    });
    expect(svg).toContain('T &amp; t');
    expect(svg.match(/<polyline/g)).toHaveLength(7);
    expect(svg.match(/<circle/g)).toHaveLength(1);
    expect(svg).toContain('>20k<');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain('>s4<');
  });
});

describe('docs/load-report.md', () => {
  it('puts each reference report in a section of its own under one title', () => {
    const combined = combineReferenceReports([
      ['ramp.md', '# Load report: ramp\n\n## Ramp\n\ntext\n'],
      ['stress.md', '# Load report: stress\n\n### step\n'],
    ]);
    expect(combined).toMatch(/^# Load reports\n/);
    expect(combined).toContain(
      '## Load report: ramp\n\n### Ramp\n\ntext\n\n## Load report: stress\n\n#### step\n',
    );
  });
});
