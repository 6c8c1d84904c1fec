/**
 * The delay before attempt `attempt + 1` of a push notification or a remote A2A call:
 * `backoffBaseMs` doubled each attempt, capped at `backoffMaxMs`, with jitter over its upper half.
 */
export function backoffMs(
  attempt: number,
  settings: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number = Math.random,
): number {
  const exponential = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attempt);
  // Jitter over the upper half: many failed retries spread out, none comes too soon.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
