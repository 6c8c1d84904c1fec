import { chaosSection } from './chaos/report-chaos.ts';
import { rateLimitsText } from './kept-limits.ts';
import { markdownTable as table } from './markdown-table.ts';
import type { OperationFigures, PhaseResult, RunResult } from './run-result.ts';
import { soakSection } from './soak/soak-report.ts';

const fixed = (value: number | undefined, digits = 1) =>
  value === undefined ? '—' : value.toFixed(digits);

function errorsOf(figures: OperationFigures): string {
  const entries = Object.entries(figures.errors);
  return entries.length === 0 ? '0' : entries.map(([code, count]) => `${code} ${count}`).join(', ');
}

/** The per-operation table of a phase. */
export function operationTable(phase: PhaseResult): string {
  return table(
    ['operation', 'ok', 'ok/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors'],
    Object.entries(phase.operations).map(([name, figures]) => [
      name,
      String(figures.ok),
      fixed(figures.okPerSecond),
      fixed(figures.p50Ms),
      fixed(figures.p99Ms),
      fixed(figures.p999Ms),
      fixed(figures.maxMs),
      errorsOf(figures),
    ]),
  );
}

function rampSection(result: RunResult): string[] {
  const steps = table(
    ['offered/s', 'completed/s', 'p50 all ms', 'p99 all ms', 'verdict'],
    result.phases.map((phase) => {
      const completed = Object.values(phase.operations).reduce(
        (sum, figures) => sum + figures.okPerSecond,
        0,
      );
      const verdict = phase.verdict;
      const reasons =
        verdict === undefined
          ? ''
          : [
              verdict.allSlow ? 'p99 of all over target' : '',
              verdict.slow.length > 0 ? `p99 over target (${verdict.slow.join(', ')})` : '',
              verdict.failing.length > 0 ? `errors (${verdict.failing.join(', ')})` : '',
            ]
              .filter(Boolean)
              .join('; ');
      const why =
        verdict === undefined || verdict.passed
          ? 'passed'
          : phase.retried === true
            ? `gave (${reasons}), passed when run again`
            : `gave: ${reasons}`;
      return [
        String(phase.offeredPerSecond),
        fixed(completed),
        fixed(phase.allP50Ms),
        fixed(phase.allP99Ms),
        why,
      ];
    }),
  );
  const knees = table(
    ['operation', 'knee: completed/s', 'p99 there ms', 'at offered total/s'],
    (result.knees ?? []).map((knee) => [
      knee.operation,
      fixed(knee.okPerSecond),
      fixed(knee.p99Ms),
      knee.offeredPerSecond === undefined ? 'failed the first step' : String(knee.offeredPerSecond),
    ]),
  );
  return [
    '## Ramp',
    '',
    `Each step offers the whole mix at the rate shown for ${Number(result.settings.stepDurationMs) / 1000} s; a step passes while the p99 of all operations together is within ${result.p99TargetMs} ms, so is that of each operation with at least ${String(result.settings.minSamples)} completions in the step (fewer calls have no meaningful p99 of their own), and no operation returned an error (E_CONFLICT from racing state writes is expected and not counted).`,
    '',
    steps,
    '',
    '### Knee per operation',
    '',
    'The highest rate each operation completed at a step it passed (its share of the mix).',
    '',
    knees,
    '',
  ];
}

/**
 * Why a stress run did not recover: each second of its last phase (the recovery) with its p99
 * and errors, and the errors by operation, so that a failed run in CI says what went wrong.
 */
export function notRecoveredText(result: RunResult): string {
  const stress = result.stress;
  const recovery = result.phases.at(-1);
  const settle = `${stress?.settleSeconds} seconds in a row with the p99 within ${result.p99TargetMs} ms and no errors`;
  if (recovery === undefined) return `no ${settle}: nothing was measured`;
  const seconds = recovery.seconds
    .map((second) => `${second.p99Ms.toFixed(0)} ms/${second.errorsPerSecond}`)
    .join(', ');
  const errors = Object.entries(recovery.operations)
    .filter(([, figures]) => Object.keys(figures.errors).length > 0)
    .map(([name, figures]) => `${name} ${errorsOf(figures)}`);
  return `no ${settle} in ${recovery.name}; its seconds (p99/errors): ${seconds}; its errors: ${errors.join(', ') || 'none'}`;
}

function stressSection(result: RunResult): string[] {
  const stress = result.stress;
  if (stress === undefined) return [];
  const half = stress.kneePerSecond / 2;
  return [
    '## Stress',
    '',
    `Knee given: ${stress.kneePerSecond}/s. Offered ${half}/s (half), then ${2 * stress.kneePerSecond}/s (twice), then ${half}/s again. ${
      stress.recoverySeconds === undefined
        ? `**Latency did not recover** before the run ended: ${notRecoveredText(result)}.`
        : `Latency recovered ${stress.recoverySeconds.toFixed(1)} s after the overload's last arrival (the first of ${stress.settleSeconds} seconds in a row with the p99 within ${result.p99TargetMs} ms and no errors); the first ${stress.idleGapSeconds.toFixed(1)} s of it offered no new load while the overload's operations in flight finished.`
    } Seconds over the limit or with errors: ${stress.secondsOverLimit.map((entry) => `${entry.phase} ${entry.over} of ${entry.of}`).join(', ')}. ${rateLimitsText(result.settings.rateLimits)}`,
    '',
    table(
      ['service', 'RSS at the end of the baseline MiB', 'highest RSS MiB'],
      Object.entries(stress.baselineMiB).map(([name, mib]) => [
        name,
        String(mib),
        String(stress.peakMiB[name] ?? 0),
      ]),
    ),
    '',
    ...result.phases.flatMap((phase) => [`### ${phase.name}`, '', operationTable(phase), '']),
  ];
}

/** The run as Markdown: settings, verdict, invariants, figures per operation, memory, CPU. */
export function renderMarkdown(result: RunResult): string {
  const memoryNames = Object.keys(result.memory[0]?.mib ?? {});
  const memoryRows = memoryNames.map((name) => {
    const values = result.memory.map((sample) => sample.mib[name] ?? 0);
    return [name, String(values[0] ?? 0), String(values.at(-1) ?? 0), String(Math.max(...values))];
  });
  const cpuTotal = Object.values(result.cpuSeconds).reduce((sum, seconds) => sum + seconds, 0);
  const lastPhase = result.phases.at(-1);
  return [
    `# Load report: ${result.scenario}`,
    '',
    `Run ${result.runId}, ${result.startedAt} to ${result.finishedAt}.`,
    '',
    '```sh',
    result.command,
    '```',
    '',
    `Machine: ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}, 1-minute load average ${result.machine.loadAverage[0].toFixed(1)} when the measured load began and ${result.machine.loadAverage[1].toFixed(1)} when it ended (other work on the machine shows here); Postgres, Redis and NATS ${result.chaos === undefined && result.soak === undefined ? 'shared with the machine' : 'of the run’s own (default settings, autovacuum on)'}. Services: 2 gateways, router, state, tasks, tools, a2a (one process each); ${result.connectedAgents} agents connected through the SDK by ${String(result.settings.generators)} generator processes, plus one MCP client per generator on /mcp and @a2a-js/sdk clients on the A2A peer. Arrivals are open-loop: latency counts from each operation's scheduled time.`,
    '',
    `Settings: \`${JSON.stringify(result.settings)}\``,
    '',
    `## Verdict: ${result.passed ? 'PASS' : 'FAIL'}`,
    '',
    `${result.violations.length} invariant violations; ${result.crashed.length === 0 ? 'no service crashed' : `crashed: ${result.crashed.join(', ')}`}${result.unexercised.length === 0 ? '' : `; never completed: ${result.unexercised.join(', ')}`}. Checked after the load stopped and ${result.drain.waitedMs} ms of settling (${result.drain.deliveriesLeft} deliveries and ${result.drain.tasksLeft} tasks still moving then): ${result.counts.messagesAccepted} accepted messages (${result.counts.deliveries} deliveries, ${result.counts.deadLetters} dead letters), ${result.counts.tasksSubmitted} submitted tasks, ${result.counts.stateWritesAcknowledged} acknowledged state writes.`,
    '',
    ...(result.violations.length === 0
      ? []
      : [
          table(
            ['invariant', 'count', 'ids (first 10)'],
            result.violations.map((violation) => [
              violation.invariant,
              String(violation.count),
              violation.ids.join(', '),
            ]),
          ),
          '',
        ]),
    ...(result.scenario === 'ramp' ? rampSection(result) : []),
    ...stressSection(result),
    ...chaosSection(result.chaos, result.phases, result.p99TargetMs),
    ...soakSection(result.soak),
    ...(lastPhase === undefined || result.stress !== undefined
      ? []
      : [
          `## Operations${result.scenario === 'ramp' ? ` at the last step (${lastPhase.name})` : result.chaos === undefined ? '' : ` ${lastPhase.name}`}`,
          '',
          operationTable(lastPhase),
          '',
        ]),
    '## Memory of the services (RSS, MiB)',
    '',
    table(['service', 'at start', 'at end', 'highest'], memoryRows),
    '',
    `## CPU over the ${result.measuredSeconds.toFixed(0)} measured seconds`,
    '',
    table(
      ['process', 'CPU s', 'share'],
      Object.entries(result.cpuSeconds)
        .sort((a, b) => b[1] - a[1])
        .map(([name, seconds]) => [
          name,
          seconds.toFixed(1),
          `${((100 * seconds) / Math.max(cpuTotal, 0.001)).toFixed(0)}%`,
        ]),
    ),
    '',
  ].join('\n');
}
