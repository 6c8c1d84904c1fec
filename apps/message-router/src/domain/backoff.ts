/**
 * The delay before retrying a delivery that failed `attempts` times: the base doubled with every
 * attempt, capped, with equal jitter (half fixed, half random) so retries of many deliveries
 * spread out while each delay still grows.
 */
export function retryDelayMs(
  attempts: number,
  settings: { backoffBaseMs: number; backoffMaxMs: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const ceiling = Math.min(settings.backoffBaseMs * 2 ** exponent, settings.backoffMaxMs);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
