import { markdownTable as table } from '../markdown-table.ts';
import type { PhaseResult } from '../run-result.ts';
import { type ChaosResult, type FaultRecord, unhealthySeconds } from './faults.ts';

// The chaos scenario's part of the report: the faults injected with their recovery, and the
// error codes the clients saw in each phase.

const seconds = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(1));

function backAfter(record: FaultRecord): string {
  return record.error === undefined
    ? seconds(record.backAfterS)
    : `did not come back: ${record.error}`;
}

/** Error codes returned in a phase, summed over the operations, most frequent first. */
export function errorCodesOf(phase: PhaseResult): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const figures of Object.values(phase.operations)) {
    for (const [code, count] of Object.entries(figures.errors)) {
      counts.set(code, (counts.get(code) ?? 0) + count);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The chaos section of the Markdown report (nothing for other scenarios). */
export function chaosSection(
  chaos: ChaosResult | undefined,
  phases: PhaseResult[],
  p99TargetMs: number,
): string[] {
  if (chaos === undefined) return [];
  const { timing } = chaos;
  const counts = Object.entries(chaos.counts)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const exits =
    chaos.unplannedExits.length === 0
      ? 'No service ended without being killed.'
      : `Services that ended without being killed (the supervisor started them again): ${chaos.unplannedExits
          .map(
            (exit) =>
              `${exit.service} at ${exit.atS.toFixed(1)} s (${exit.how}${exit.why === undefined ? '' : `: ${exit.why}`})`,
          )
          .join(', ')}.`;
  return [
    '## Chaos',
    '',
    `The mix ran at the offered rate throughout while the faults below were injected, one phase each: the fault ${timing.injectAfterMs / 1000} s into its phase of ${timing.spacingMs / 1000} s (a pause's phase is longer by the ${timing.pauseMs / 1000}-s pause), with ${timing.beforeMs / 1000} s without faults before the first and after the last. A killed service is started again ${timing.restartDelayMs / 1000} s after it ended, on the same port, as a deployment's supervisor would. Postgres, Redis and NATS are the run's own (a cluster from initdb, redis-server without persistence, nats-server with JetStream on its own store), so losing them harms nothing else. Faults injected: ${counts}. ${exits}`,
    '',
    `"Back after": seconds until the target was ready again (a restarted service logged ready, a paused one was continued, a server listened again). "Healthy after": seconds from the fault until the first ${timing.settleSeconds} seconds in a row with the p99 of all operations within ${chaos.healthyP99LimitMs.toFixed(0)} ms (the ${p99TargetMs}-ms target, or twice the p99 before the first fault when the machine was that slow without any) and no errors (E_CONFLICT of racing writes aside).`,
    '',
    table(
      ['#', 'kind', 'target', 'at s', 'back after s', 'healthy after s'],
      chaos.faults.map((record, index) => [
        String(index + 1),
        record.kind,
        record.target,
        record.atS.toFixed(1),
        backAfter(record),
        record.healthyAfterS === undefined ? 'not in the run' : seconds(record.healthyAfterS),
      ]),
    ),
    '',
    '### Error codes per phase',
    '',
    'What the clients were told while each fault ran (counted, not violations: only an accepted message, submitted task or acknowledged write that is lost breaks a promise), and the seconds of each phase with errors or the p99 over the limit.',
    '',
    table(
      ['phase', 'ok', 'seconds unhealthy', 'errors'],
      phases.map((phase) => {
        const codes = errorCodesOf(phase);
        const ok = Object.values(phase.operations).reduce((sum, figures) => sum + figures.ok, 0);
        return [
          phase.name,
          String(ok),
          `${unhealthySeconds(phase.seconds, chaos.healthyP99LimitMs)} of ${phase.seconds.length}`,
          codes.length === 0 ? '0' : codes.map(([code, count]) => `${code} ${count}`).join(', '),
        ];
      }),
    ),
    '',
  ];
}

/**
 * The faults as markers on the plots over time: the number of the fault table's row and the
 * kind (a full label is too wide for faults 20 s apart on a 13-fault run).
 */
export function faultMarkers(
  chaos: ChaosResult | undefined,
): Array<{ x: number; label: string; color: string }> {
  return (chaos?.faults ?? []).map((record, index) => ({
    x: record.atS,
    label: `${index + 1} ${record.kind}`,
    color: '#d62728',
  }));
}
