import type { ToolHealthStates } from '@switchboard/protocol';

/** A tool version's health from its recent calls. */
export type ToolHealth = (typeof ToolHealthStates)[number];

/** The share of failed recent calls at which a tool is degraded, and failing. */
export interface HealthThresholds {
  degradedRatio: number;
  failingRatio: number;
}

/**
 * Health from the calls that reached a provider within the window: `unknown` without any,
 * `failing` when errors and timeouts make up at least `failingRatio` of them, `degraded` from
 * `degradedRatio`, else `healthy`. Calls refused before a provider (bad arguments, no grant)
 * say nothing about the tool and are not counted by the caller of this function.
 */
export function healthOf(
  recent: { ok: number; failed: number },
  thresholds: HealthThresholds,
): ToolHealth {
  const total = recent.ok + recent.failed;
  if (total === 0) return 'unknown';
  const ratio = recent.failed / total;
  if (ratio >= thresholds.failingRatio) return 'failing';
  if (ratio >= thresholds.degradedRatio) return 'degraded';
  return 'healthy';
}
