import type { ToolCallOutcome } from '@switchboard/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The registry's metrics (DESIGN.md, Observability: tool calls by outcome and latency). */
export function createToolMetrics(registry: Registry) {
  const calls = new Counter({
    name: 'sb_tools_calls_total',
    help: 'Tool calls, by outcome (refused: never reached a provider)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'sb_tools_call_duration_seconds',
    help: 'From a call reaching the registry to its answer, for calls that reached a provider',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const registrations = new Counter({
    name: 'sb_tools_registrations_total',
    help: 'Tool versions registered, by outcome (created, provider_added, unchanged)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const totals = { ok: 0, error: 0, timeout: 0, refused: 0 };

  return {
    called(outcome: ToolCallOutcome, seconds?: number): void {
      calls.inc({ outcome });
      totals[outcome] += 1;
      if (seconds !== undefined) latency.observe(seconds);
    },
    registered(outcome: string): void {
      registrations.inc({ outcome });
    },
    /** The figures of `<ns>.v1.tools.stats`. */
    stats(): Record<string, number> {
      return {
        callsOk: totals.ok,
        callsFailed: totals.error,
        callsTimedOut: totals.timeout,
        callsRefused: totals.refused,
      };
    },
  };
}

/** The registry's metrics (see {@link createToolMetrics}). */
export type ToolMetrics = ReturnType<typeof createToolMetrics>;
