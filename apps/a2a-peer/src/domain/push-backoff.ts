/**
 * The delay before attempt `attempt + 1` of a push: `backoffBaseMs` doubled each attempt, capped
 * at `backoffMaxMs`, with jitter over its upper half.
 */
export function pushBackoffMs(
  attempt: number,
  settings: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number = Math.random,
): number {
  const exponential = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attempt);
  // Jitter over the upper half: retries of many failed pushes spread out, none comes too soon.
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
